package dev.sluice.connectors.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.FieldMappingException;
import dev.sluice.connectors.FieldMappingException.FieldError;
import dev.sluice.connectors.ObjectSchema;
import dev.sluice.connectors.ObjectSchema.Field;
import dev.sluice.connectors.ObjectSchema.FieldType;
import dev.sluice.connectors.OutboundRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** {@code GET /sobjects/{Obj}/describe} as an {@link ObjectSchema}, plus what the reader needs: the selectable fields and lookups. */
final class SalesforceSchema {

  /** Compound and binary types SOQL cannot select field by field (their parts are selected instead). */
  static final Set<String> NOT_SELECTED = Set.of("address", "location", "base64", "complexvalue");

  /**
   * One object's description.
   *
   * @param schema the fields
   * @param selectable the fields a query selects, in describe order
   * @param lookups reference field → the object it points to (e.g. AccountId → Account)
   */
  record Described(ObjectSchema schema, List<String> selectable, Map<String, String> lookups) {}

  private final SalesforceHttp http;
  private final Map<String, Described> cache = new ConcurrentHashMap<>();

  SalesforceSchema(SalesforceHttp http) {
    this.http = http;
  }

  Described describe(String object) throws ConnectorException {
    Described d = cache.get(object);
    if (d == null) {
      d = parse(object, http.send("describe", "GET", "/sobjects/" + object + "/describe", null, object + " describe"));
      cache.putIfAbsent(object, d);
    }
    return d;
  }

  static Described parse(String object, JsonNode body) throws ConnectorException {
    if (body == null || !body.path("fields").isArray()) {
      throw ConnectorException.malformed("Salesforce answered the " + object + " describe without \"fields\"", null);
    }
    List<Field> fields = new ArrayList<>();
    List<String> selectable = new ArrayList<>();
    Map<String, String> lookups = new LinkedHashMap<>();
    for (JsonNode f : body.path("fields")) {
      String name = f.path("name").asText("");
      String type = f.path("type").asText("string");
      if (name.isEmpty()) {
        continue;
      }
      if (!NOT_SELECTED.contains(type)) {
        selectable.add(name);
      }
      if ("reference".equals(type) && f.path("referenceTo").isArray() && !f.path("referenceTo").isEmpty()) {
        lookups.put(name, f.path("referenceTo").get(0).asText());
      }
      boolean createable = f.path("createable").asBoolean(false);
      boolean updateable = f.path("updateable").asBoolean(false);
      boolean required = createable && !f.path("nillable").asBoolean(true) && !f.path("defaultedOnCreate").asBoolean(false)
          && !"boolean".equals(type);
      boolean key = f.path("externalId").asBoolean(false) || f.path("idLookup").asBoolean(false) || f.path("unique").asBoolean(false);
      List<String> options = new ArrayList<>();
      for (JsonNode p : f.path("picklistValues")) {
        if (p.path("active").asBoolean(true)) {
          options.add(p.path("value").asText());
        }
      }
      fields.add(new Field(name, f.path("label").asText(name), type(type), required, key, createable || updateable, options));
    }
    return new Described(new ObjectSchema(object, fields, false), List.copyOf(selectable), Map.copyOf(lookups));
  }

  static FieldType type(String salesforceType) {
    return switch (salesforceType) {
      case "id", "reference" -> FieldType.ID;
      case "int", "double", "currency", "percent", "long" -> FieldType.NUMBER;
      case "boolean" -> FieldType.BOOLEAN;
      case "date" -> FieldType.DATE;
      case "datetime" -> FieldType.DATETIME;
      case "picklist" -> FieldType.ENUMERATION;
      default -> FieldType.STRING; // string, textarea, email, phone, url, multipicklist, combobox, encryptedstring
    };
  }

  /**
   * One record upserted by {@code keyField} (an External ID or idLookup field: {@code
   * External_Id__c}, {@code Id}, Contact/Lead {@code Email}), or created when it is null.
   */
  OutboundRecord map(String object, String keyField, Map<String, ?> values, String traceId)
      throws FieldMappingException, ConnectorException {
    ObjectSchema schema = describe(object).schema();
    Map<String, Object> props = new LinkedHashMap<>(values);
    String key = null;
    String keyName = null;
    if (keyField != null) {
      Optional<Field> f = schema.field(keyField);
      if (f.isEmpty() || !f.get().unique()) {
        throw new FieldMappingException(object, List.of(new FieldError(keyField, null, f.isEmpty() ? "no such field on " + object
            : "is not an External ID or idLookup field, so Salesforce cannot upsert by it")));
      }
      keyName = f.get().name();
      Object v = props.get(keyName);
      if (v == null) {
        v = props.get(keyField);
      }
      if (v == null || v.toString().isBlank()) {
        throw new FieldMappingException(object, List.of(new FieldError(keyName, null, "is the upsert key and has no value")));
      }
      key = v.toString().trim();
      if ("Id".equals(keyName)) {
        props.remove(keyField);
        props.remove(keyName);
      }
    }
    return new OutboundRecord(keyName, key, schema.check(props, !"Id".equals(keyName)), traceId);
  }
}
