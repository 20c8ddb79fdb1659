package dev.sluice.connectors.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.FieldMappingException;
import dev.sluice.connectors.ObjectSchema;
import dev.sluice.connectors.ObjectSchema.Field;
import dev.sluice.connectors.ObjectSchema.FieldType;
import dev.sluice.connectors.OutboundRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * HubSpot's properties API ({@code GET /crm/v3/properties/{objectType}}) as an {@link ObjectSchema},
 * read once per object type, and the mapping of values onto it.
 */
final class HubSpotSchema {

  /** HubSpot's record id property: an upsert by it updates existing records only. */
  static final String RECORD_ID = "hs_object_id";

  private final HubSpotHttp http;
  private final Map<String, ObjectSchema> cache = new ConcurrentHashMap<>();

  HubSpotSchema(HubSpotHttp http) {
    this.http = http;
  }

  ObjectSchema describe(String objectType) throws ConnectorException {
    ObjectSchema s = cache.get(objectType);
    if (s != null) {
      return s;
    }
    JsonNode body = http.send("list", "GET", "/crm/v3/properties/" + objectType, null, Map.of(), objectType + " property list").body();
    s = parse(objectType, body);
    cache.putIfAbsent(objectType, s);
    return s;
  }

  static ObjectSchema parse(String objectType, JsonNode body) throws ConnectorException {
    if (body == null || !body.path("results").isArray()) {
      throw ConnectorException.malformed("HubSpot answered the " + objectType + " property list without \"results\"", null);
    }
    List<Field> fields = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (JsonNode p : body.path("results")) {
      String name = p.path("name").asText("");
      if (name.isEmpty() || p.path("archived").asBoolean(false) || !seen.add(name)) {
        continue;
      }
      List<String> options = new ArrayList<>();
      for (JsonNode o : p.path("options")) {
        if (!o.path("hidden").asBoolean(false)) {
          options.add(o.path("value").asText());
        }
      }
      boolean readOnly = p.path("modificationMetadata").path("readOnlyValue").asBoolean(false) || p.path("calculated").asBoolean(false);
      fields.add(new Field(name, p.path("label").asText(name), type(name, p.path("type").asText("string")), false,
          upsertKey(objectType, name, p), !readOnly, options));
    }
    return new ObjectSchema(objectType, fields, false);
  }

  /**
   * Usable as {@code idProperty}: a property with unique values, the record id, or a contact's
   * {@code email} (HubSpot keeps e-mail addresses unique per contact without flagging the property).
   */
  private static boolean upsertKey(String objectType, String name, JsonNode p) {
    return p.path("hasUniqueValue").asBoolean(false) || RECORD_ID.equals(name)
        || ("contacts".equals(objectType) && "email".equals(name));
  }

  private static FieldType type(String name, String hubspotType) {
    if (RECORD_ID.equals(name)) {
      return FieldType.ID;
    }
    return switch (hubspotType) {
      case "number" -> FieldType.NUMBER;
      case "bool" -> FieldType.BOOLEAN;
      case "date" -> FieldType.DATE;
      case "datetime" -> FieldType.DATETIME;
      case "enumeration" -> FieldType.ENUMERATION;
      default -> FieldType.STRING; // string, phone_number, object_coordinates, json
    };
  }

  /**
   * One record upserted by {@code keyField} (a unique property or {@code hs_object_id}), or created
   * when {@code keyField} is null. The key is sent as {@code idProperty}/{@code id}, not as a
   * property to set.
   */
  OutboundRecord map(String objectType, String keyField, Map<String, ?> values, String traceId)
      throws FieldMappingException, ConnectorException {
    ObjectSchema schema = describe(objectType);
    Map<String, Object> props = new java.util.LinkedHashMap<>(values);
    String key = null;
    String keyName = keyField;
    if (keyField != null) {
      java.util.Optional<Field> found = schema.field(keyField);
      if (found.isEmpty()) {
        throw new FieldMappingException(objectType,
            List.of(new FieldMappingException.FieldError(keyField, null, "no such property on " + objectType)));
      }
      Field f = found.get();
      if (!f.unique()) {
        throw new FieldMappingException(objectType, List.of(new FieldMappingException.FieldError(f.name(), null,
            "is not a unique property, so HubSpot cannot upsert by it (use hs_object_id, email for contacts, or a property with unique values)")));
      }
      Object v = props.get(f.name());
      if (RECORD_ID.equals(f.name())) {
        props.remove(f.name()); // read-only: it identifies the record, it is not set
      }
      if (v == null || v.toString().isBlank()) {
        throw new FieldMappingException(objectType, List.of(new FieldMappingException.FieldError(f.name(), null,
            "is the upsert key and has no value")));
      }
      key = v instanceof Number n ? Long.toString(n.longValue()) : v.toString().trim();
      keyName = f.name();
    }
    Map<String, String> checked = schema.check(props, !RECORD_ID.equals(keyName));
    return new OutboundRecord(keyName, key, checked, traceId);
  }
}
