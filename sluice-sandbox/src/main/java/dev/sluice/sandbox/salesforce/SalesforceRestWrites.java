package dev.sluice.sandbox.salesforce;

import static dev.sluice.sandbox.salesforce.SalesforceWire.JSON;
import static dev.sluice.sandbox.salesforce.SalesforceWire.json;
import static dev.sluice.sandbox.salesforce.SalesforceWire.pathSchema;
import static dev.sluice.sandbox.salesforce.SalesforceWire.prefix;
import static dev.sluice.sandbox.salesforce.SalesforceWire.resultJson;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;

/**
 * The REST writes: create, update and delete one record; sObject Collections create, update,
 * upsert and delete (≤ 200 records, {@code allOrNone}); upsert one by an External ID or idLookup
 * field. Per-record failures carry {@code statusCode}; request failures are the JSON error array.
 */
final class SalesforceRestWrites {

  /** Upsert answers an update with 200 and a body from API 46.0 on; before that with 204. */
  static final int UPSERT_BODY_ON_UPDATE_FROM = 46;

  private static final String ROLLED_BACK_MESSAGE =
      "Record rolled back because not all records were valid and the request was using AllOrNone header";

  private final SalesforceStore store;

  SalesforceRestWrites(SalesforceStore store) {
    this.store = store;
  }

  /**
   * The field named in an upsert path, if Salesforce accepts it as the key: an External ID field,
   * or a field with the idLookup attribute (Id, Contact/Lead Email). Others are refused.
   */
  static SObjectSchema.Field upsertKey(SObjectSchema s, String name) {
    SObjectSchema.Field f = s.field(name);
    if (f == null) {
      throw new SalesforceApiException(404, "NOT_FOUND",
          "Provided external ID field does not exist or is not accessible: " + name);
    }
    if (!f.upsertKey()) {
      throw new SalesforceApiException(400, "INVALID_FIELD",
          "Field name provided, " + f.name() + " is not an External ID or indexed field for " + s.name, List.of(f.name()));
    }
    return f;
  }

  /** {@code POST /sobjects/{Obj}} → 201 {@code {"id","success":true,"errors":[]}}. */
  void create(Context ctx) throws Exception {
    SObjectSchema s = pathSchema(ctx);
    JsonNode body = SalesforceWire.objectBody(ctx);
    SalesforceStore.WriteOutcome o = store.write(List.of(new SalesforceStore.WriteRequest(s, null, null, body)), false).get(0);
    if (!o.success()) {
      throw SalesforceWire.asException(o);
    }
    json(ctx, 201, resultJson(o, false));
  }

  /** {@code PATCH /sobjects/{Obj}/{id}} → 204. */
  void update(Context ctx) throws Exception {
    SObjectSchema s = pathSchema(ctx);
    JsonNode body = SalesforceWire.objectBody(ctx);
    SalesforceStore.WriteOutcome o = store.update(s, ctx.pathParam("id"), body);
    if (!o.success()) {
      throw SalesforceWire.asException(o);
    }
    ctx.status(204);
  }

  /** {@code DELETE /sobjects/{Obj}/{id}} → 204; the record goes to the recycle bin. */
  void delete(Context ctx) throws Exception {
    SObjectSchema s = pathSchema(ctx);
    switch (store.delete(s, ctx.pathParam("id"))) {
      case DELETED -> ctx.status(204);
      case ALREADY_DELETED -> throw new SalesforceApiException(404, "ENTITY_IS_DELETED", "entity is deleted");
      case NOT_FOUND -> throw SalesforceWire.notFound();
    }
  }

  /** {@code PATCH /sobjects/{Obj}/{ExtIdField}/{value}} → 201 created, 200 (204 before 46.0) updated, 300 several. */
  void upsertOne(Context ctx, int version) throws Exception {
    SObjectSchema s = pathSchema(ctx);
    SObjectSchema.Field key = upsertKey(s, ctx.pathParam("field"));
    JsonNode body = SalesforceWire.objectBody(ctx);
    SalesforceStore.WriteOutcome o = store.write(List.of(
        new SalesforceStore.WriteRequest(s, key.name(), ctx.pathParam("value"), body)), false).get(0);
    if (!o.matches().isEmpty()) {
      ArrayNode urls = JSON.createArrayNode();
      o.matches().forEach(id -> urls.add(prefix(ctx) + "/sobjects/" + s.name + "/" + id));
      json(ctx, 300, urls);
      return;
    }
    if (!o.success()) {
      throw SalesforceWire.asException(o);
    }
    if (!o.created() && version < UPSERT_BODY_ON_UPDATE_FROM) {
      ctx.status(204);
      return;
    }
    json(ctx, o.created() ? 201 : 200, resultJson(o, true));
  }

  /** {@code POST /composite/sobjects}: create up to 200 records of any served types. */
  void createMany(Context ctx) throws Exception {
    JsonNode body = SalesforceWire.objectBody(ctx);
    List<SalesforceStore.WriteRequest> requests = new ArrayList<>();
    List<SalesforceStore.WriteOutcome> early = new ArrayList<>();
    for (JsonNode r : collectionRecords(body)) {
      SObjectSchema s = recordType(r, early);
      requests.add(s == null ? null : new SalesforceStore.WriteRequest(s, null, null, r));
      if (s != null && r.hasNonNull("Id")) {
        early.set(early.size() - 1, SalesforceStore.WriteOutcome.failed("INVALID_FIELD",
            "cannot specify Id in an insert call", List.of("Id")));
        requests.set(requests.size() - 1, null);
      }
    }
    json(ctx, 200, results(requests, early, body.path("allOrNone").asBoolean(false), true));
  }

  /** {@code PATCH /composite/sobjects}: update up to 200 records by their {@code id}. */
  void updateMany(Context ctx) throws Exception {
    JsonNode body = SalesforceWire.objectBody(ctx);
    List<SalesforceStore.WriteRequest> requests = new ArrayList<>();
    List<SalesforceStore.WriteOutcome> early = new ArrayList<>();
    for (JsonNode r : collectionRecords(body)) {
      SObjectSchema s = recordType(r, early);
      String id = r.hasNonNull("id") ? r.get("id").asText() : r.hasNonNull("Id") ? r.get("Id").asText() : null;
      if (s != null && id == null) {
        early.set(early.size() - 1, SalesforceStore.WriteOutcome.failed("MISSING_ARGUMENT",
            "Id not specified in an update call", List.of()));
        s = null;
      }
      ObjectNode fields = r.deepCopy();
      fields.remove("id");
      requests.add(s == null ? null : new SalesforceStore.WriteRequest(s, "Id", id, fields));
    }
    json(ctx, 200, results(requests, early, body.path("allOrNone").asBoolean(false), false));
  }

  /** {@code PATCH /composite/sobjects/{Obj}/{ExtIdField}}: upsert up to 200 records of one type. */
  void upsertMany(Context ctx) throws Exception {
    SObjectSchema s = pathSchema(ctx);
    SObjectSchema.Field key = upsertKey(s, ctx.pathParam("field"));
    JsonNode body = SalesforceWire.objectBody(ctx);
    List<SalesforceStore.WriteRequest> requests = new ArrayList<>();
    List<SalesforceStore.WriteOutcome> early = new ArrayList<>();
    for (JsonNode r : collectionRecords(body)) {
      String type = r.path("attributes").path("type").asText(null);
      if (type != null && !type.equalsIgnoreCase(s.name)) {
        early.add(SalesforceStore.WriteOutcome.failed("INVALID_TYPE",
            "All records must be of the type in the URL: " + s.name, List.of()));
        requests.add(null);
        continue;
      }
      JsonNode ext = fieldIgnoringCase(r, key.name());
      early.add(null);
      requests.add(new SalesforceStore.WriteRequest(s, key.name(), ext == null || ext.isNull() ? null : ext.asText(), r));
    }
    json(ctx, 200, results(requests, early, body.path("allOrNone").asBoolean(false), true));
  }

  /** {@code DELETE /composite/sobjects?ids=a,b&allOrNone=}: delete up to 200 records of any types. */
  void deleteMany(Context ctx) throws Exception {
    String idsParam = ctx.queryParam("ids");
    List<String> ids = new ArrayList<>();
    if (idsParam != null) {
      for (String id : idsParam.split(",")) {
        if (!id.isBlank()) {
          ids.add(id.trim());
        }
      }
    }
    if (ids.isEmpty()) {
      throw new SalesforceApiException(400, "MISSING_ARGUMENT", "ids: required parameter missing");
    }
    if (ids.size() > SalesforceSandbox.MAX_COLLECTION_RECORDS) {
      throw new SalesforceApiException(400, "EXCEEDED_ID_LIMIT",
          "record limit reached. cannot submit more than " + SalesforceSandbox.MAX_COLLECTION_RECORDS + " records into this call");
    }
    boolean allOrNone = Boolean.parseBoolean(ctx.queryParam("allOrNone"));
    List<SalesforceStore.WriteOutcome> outcomes = new ArrayList<>();
    List<SObjectSchema> types = new ArrayList<>();
    for (String id : ids) {
      SObjectSchema s = typeOfId(id);
      types.add(s);
      if (s == null || (store.resolveId(s.name, id) == null && !store.isDeleted(s.name, id))) {
        outcomes.add(SalesforceStore.WriteOutcome.failed("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", List.of()));
      } else if (store.isDeleted(s.name, id)) {
        outcomes.add(new SalesforceStore.WriteOutcome(id, false, failedErrors("ENTITY_IS_DELETED", "entity is deleted"), List.of()));
      } else {
        outcomes.add(null);
      }
    }
    boolean anyFailed = outcomes.stream().anyMatch(o -> o != null);
    ArrayNode out = JSON.createArrayNode();
    for (int i = 0; i < ids.size(); i++) {
      SalesforceStore.WriteOutcome o = outcomes.get(i);
      if (o == null && allOrNone && anyFailed) {
        o = SalesforceStore.WriteOutcome.failed("ALL_OR_NONE_OPERATION_ROLLED_BACK", ROLLED_BACK_MESSAGE, List.of());
      } else if (o == null) {
        String id = store.resolveId(types.get(i).name, ids.get(i));
        store.delete(types.get(i), id);
        o = new SalesforceStore.WriteOutcome(id, false, List.of(), List.of());
      }
      out.add(resultJson(o, false));
    }
    json(ctx, 200, out);
  }

  private static List<java.util.Map<String, Object>> failedErrors(String code, String message) {
    return SalesforceStore.WriteOutcome.failed(code, message, List.of()).errors();
  }

  private static SObjectSchema typeOfId(String id) {
    for (SObjectSchema s : SObjectSchema.TYPES.values()) {
      if (id.startsWith(s.keyPrefix)) {
        return s;
      }
    }
    return null;
  }

  /** The record's {@code attributes.type}; adds the early outcome (null when the type is served). */
  private static SObjectSchema recordType(JsonNode r, List<SalesforceStore.WriteOutcome> early) {
    String type = r.path("attributes").path("type").asText(null);
    SObjectSchema s = SObjectSchema.of(type);
    early.add(s != null ? null : SalesforceStore.WriteOutcome.failed("INVALID_TYPE",
        type == null ? "Each record needs attributes.type" : "sObject type '" + type + "' is not supported.", List.of()));
    return s;
  }

  private static JsonNode collectionRecords(JsonNode body) {
    JsonNode records = body.path("records");
    if (!records.isArray()) {
      throw new SalesforceApiException(400, "JSON_PARSER_ERROR", "The request body needs a \"records\" array");
    }
    if (records.size() > SalesforceSandbox.MAX_COLLECTION_RECORDS) {
      throw new SalesforceApiException(400, "EXCEEDED_ID_LIMIT",
          "record limit reached. cannot submit more than " + SalesforceSandbox.MAX_COLLECTION_RECORDS + " records into this call");
    }
    return records;
  }

  private ArrayNode results(List<SalesforceStore.WriteRequest> requests, List<SalesforceStore.WriteOutcome> early,
                            boolean allOrNone, boolean withCreated) {
    List<SalesforceStore.WriteRequest> valid = new ArrayList<>();
    for (SalesforceStore.WriteRequest r : requests) {
      if (r != null) {
        valid.add(r);
      }
    }
    boolean anyEarly = early.stream().anyMatch(e -> e != null);
    List<SalesforceStore.WriteOutcome> applied = new ArrayList<>();
    if (allOrNone && anyEarly) {
      valid.forEach(v -> applied.add(SalesforceStore.WriteOutcome.failed("ALL_OR_NONE_OPERATION_ROLLED_BACK",
          ROLLED_BACK_MESSAGE, List.of())));
    } else {
      applied.addAll(store.write(valid, allOrNone));
    }
    ArrayNode out = JSON.createArrayNode();
    int next = 0;
    for (int i = 0; i < requests.size(); i++) {
      SalesforceStore.WriteOutcome o = early.get(i) != null ? early.get(i) : applied.get(next++);
      if (!o.matches().isEmpty()) {
        o = SalesforceStore.WriteOutcome.failed("DUPLICATE_EXTERNAL_ID",
            "Multiple records found with the same external id: " + String.join(", ", o.matches()), List.of());
      }
      out.add(resultJson(o, withCreated));
    }
    return out;
  }

  private static JsonNode fieldIgnoringCase(JsonNode record, String field) {
    for (var it = record.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (name.equalsIgnoreCase(field)) {
        return record.get(name);
      }
    }
    return null;
  }
}
