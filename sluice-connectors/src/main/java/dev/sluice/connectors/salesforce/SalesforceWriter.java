package dev.sluice.connectors.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.ObjectSchema;
import dev.sluice.connectors.OutboundRecord;
import dev.sluice.connectors.WriteResult;
import dev.sluice.connectors.WriteResult.RecordResult;
import dev.sluice.connectors.WriteResult.Status;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * sObject Collections: {@code PATCH /composite/sobjects/{Obj}/{ExtIdField}} (upsert on an External ID
 * or idLookup field) or {@code POST /composite/sobjects} (create), at most 200 records, {@code
 * allOrNone=false}, one result per record in input order.
 */
final class SalesforceWriter {

  /** Salesforce's largest sObject Collections request. */
  static final int MAX_BATCH = 200;
  /** Per-record codes that are not the record's fault: the same record may succeed when sent again. */
  static final Set<String> TRANSIENT_CODES = Set.of("UNABLE_TO_LOCK_ROW", "ALL_OR_NONE_OPERATION_ROLLED_BACK", "SERVER_UNAVAILABLE",
      "REQUEST_RUNNING_TOO_LONG");

  private final SalesforceHttp http;
  private final SalesforceSchema schema;

  SalesforceWriter(SalesforceHttp http, SalesforceSchema schema) {
    this.http = http;
    this.schema = schema;
  }

  WriteResult write(String object, List<OutboundRecord> records) throws ConnectorException {
    if (records.isEmpty()) {
      return new WriteResult(List.of());
    }
    if (records.size() > MAX_BATCH) {
      throw new IllegalArgumentException("Salesforce sObject Collections hold at most " + MAX_BATCH + " records, got " + records.size());
    }
    String key = records.get(0).idProperty();
    for (OutboundRecord r : records) {
      if (key == null ? r.idProperty() != null : !key.equalsIgnoreCase(String.valueOf(r.idProperty()))) {
        throw new IllegalArgumentException("a Salesforce batch upserts every record by one key field (or creates them all)");
      }
    }
    ObjectSchema fields = schema.describe(object).schema();
    ObjectNode body = SalesforceHttp.JSON.createObjectNode().put("allOrNone", false);
    ArrayNode out = body.putArray("records");
    for (OutboundRecord r : records) {
      ObjectNode rec = out.addObject();
      rec.putObject("attributes").put("type", object);
      for (Map.Entry<String, String> e : r.properties().entrySet()) {
        put(rec, e.getKey(), e.getValue(), fields.field(e.getKey()).map(ObjectSchema.Field::type).orElse(ObjectSchema.FieldType.STRING));
      }
      if (key != null) {
        rec.put(key, r.id());
      }
    }
    String position = object + (key == null ? " create" : " upsert by " + key) + " of " + records.size();
    JsonNode resp = key == null
        ? http.send("write", "POST", "/composite/sobjects", body, position)
        : http.send("write", "PATCH", "/composite/sobjects/" + object + "/" + key, body, position);
    return results(records, resp, position, key == null);
  }

  /**
   * {@code PATCH /sobjects/{Obj}/{ExtIdField}/{value}}: upserts one record as given; {@code {id,
   * created}} (201 created, 200 updated; an old API version's 204 gives {@code created: false}
   * without an id). Several records with that value (300) is PERMANENT_BATCH.
   */
  JsonNode upsertOne(String object, String field, String value, JsonNode fields) throws ConnectorException {
    String path = "/sobjects/" + object + "/" + field + "/" + java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    String position = object + " upsert by " + field + " = " + value;
    SalesforceHttp.Answer a = http.exchange("write", "PATCH", path, fields, position);
    if (a.status() == 300) {
      throw ConnectorException.permanentBatch("Salesforce refused " + position + " (300): several " + object + " records have that "
          + field + ": " + a.body(), 300);
    }
    http.check(a, position);
    ObjectNode out = SalesforceHttp.JSON.createObjectNode();
    JsonNode b = a.body();
    if (b != null && b.hasNonNull("id")) {
      out.put("id", b.get("id").asText());
    }
    out.put("created", a.status() == 201 || (b != null && b.path("created").asBoolean(false)));
    return out;
  }

  private static void put(ObjectNode rec, String name, String value, ObjectSchema.FieldType type) {
    if (value == null) {
      rec.putNull(name);
      return;
    }
    switch (type) {
      case NUMBER -> rec.put(name, new BigDecimal(value));
      case BOOLEAN -> rec.put(name, Boolean.parseBoolean(value));
      default -> rec.put(name, value);
    }
  }

  /**
   * {@code DELETE /composite/sobjects?ids=…&allOrNone=false}: one result per id; a record already in
   * the recycle bin ({@code ENTITY_IS_DELETED}) counts as deleted.
   */
  WriteResult delete(List<String> ids) throws ConnectorException {
    if (ids.isEmpty()) {
      return new WriteResult(List.of());
    }
    if (ids.size() > MAX_BATCH) {
      throw new IllegalArgumentException("Salesforce sObject Collections delete at most " + MAX_BATCH + " records, got " + ids.size());
    }
    for (String id : ids) {
      if (!id.matches("[A-Za-z0-9]{15,18}")) throw new IllegalArgumentException("'" + id + "' is not a Salesforce id");
    }
    String position = "delete of " + ids.size();
    JsonNode resp = http.send("write", "DELETE", "/composite/sobjects?allOrNone=false&ids=" + String.join(",", ids), null, position);
    if (resp == null || !resp.isArray() || resp.size() != ids.size()) {
      throw dev.sluice.connectors.ConnectorException.malformed("Salesforce answered " + position + " without one result per id", null);
    }
    List<RecordResult> out = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      JsonNode r = resp.get(i);
      String code = r.path("errors").path(0).path("statusCode").asText("");
      if (r.path("success").asBoolean(false) || code.equals("ENTITY_IS_DELETED")) {
        out.add(new RecordResult(Integer.toString(i), Status.DELETED, ids.get(i), null, null));
      } else {
        out.add(new RecordResult(Integer.toString(i), Status.FAILED, null,
            TRANSIENT_CODES.contains(code) ? ConnectorException.Kind.RETRYABLE : ConnectorException.Kind.PERMANENT_RECORD,
            code + ": " + r.path("errors").path(0).path("message").asText("")));
      }
    }
    return new WriteResult(out);
  }

  static WriteResult results(List<OutboundRecord> records, JsonNode resp, String position, boolean creating) throws ConnectorException {
    if (resp == null || !resp.isArray() || resp.size() != records.size()) {
      throw ConnectorException.malformed("Salesforce answered " + position + " with " + (resp == null || !resp.isArray() ? "no result array"
          : resp.size() + " results for " + records.size() + " records"), null);
    }
    List<RecordResult> out = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      JsonNode r = resp.get(i);
      String trace = records.get(i).traceId() != null ? records.get(i).traceId() : Integer.toString(i);
      if (r.path("success").asBoolean(false)) {
        out.add(new RecordResult(trace, creating || r.path("created").asBoolean(false) ? Status.CREATED : Status.UPDATED, r.path("id").asText(null),
            null, null));
        continue;
      }
      JsonNode e = r.path("errors").path(0);
      String code = e.path("statusCode").asText("UNKNOWN_ERROR");
      String fields = e.path("fields").isArray() && !e.path("fields").isEmpty() ? " " + e.path("fields") : "";
      out.add(new RecordResult(trace, Status.FAILED, null,
          TRANSIENT_CODES.contains(code) ? ConnectorException.Kind.RETRYABLE : ConnectorException.Kind.PERMANENT_RECORD,
          code + ": " + e.path("message").asText("") + fields));
    }
    return new WriteResult(out);
  }
}
