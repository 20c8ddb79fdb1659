package dev.sluice.sandbox.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One record write as a create, update or upsert call (or one batch input) sends it. */
record WriteInput(
    HubSpotObjectType type, Map<String, String> properties, List<Link> associations, String traceId, String id,
    String idProperty, String structuralProblem) {

  /** An association to create with the record: {@code {"to":{"id":…},"types":[{"associationTypeId":…}]}}. */
  record Link(String toId, int typeId) {}

  static WriteInput parse(HubSpotObjectType type, JsonNode in) {
    String trace = in.hasNonNull("objectWriteTraceId") ? in.get("objectWriteTraceId").asText() : null;
    String id = in.hasNonNull("id") ? in.get("id").asText() : null;
    String idProperty = in.hasNonNull("idProperty") ? in.get("idProperty").asText() : null;
    JsonNode p = in.get("properties");
    Map<String, String> props = p == null || p.isNull() ? new LinkedHashMap<>() : properties(p);
    if (props == null) {
      return new WriteInput(type, Map.of(), List.of(), trace, id, idProperty, "'properties' must be an object of property names to values");
    }
    List<Link> links = new ArrayList<>();
    JsonNode assoc = in.get("associations");
    if (assoc != null && !assoc.isNull()) {
      if (!assoc.isArray()) return new WriteInput(type, props, List.of(), trace, id, idProperty, "'associations' must be an array");
      for (JsonNode a : assoc) {
        JsonNode to = a.path("to").path("id");
        JsonNode types = a.path("types");
        if (to.isMissingNode() || to.isNull() || !types.isArray() || types.isEmpty()) {
          return new WriteInput(type, props, List.of(), trace, id, idProperty,
              "each association needs 'to.id' and a non-empty 'types' array");
        }
        for (JsonNode t : types) {
          if (!t.path("associationTypeId").canConvertToInt()) {
            return new WriteInput(type, props, List.of(), trace, id, idProperty, "each association type needs a numeric 'associationTypeId'");
          }
          links.add(new Link(to.asText(), t.path("associationTypeId").asInt()));
        }
      }
    }
    return new WriteInput(type, props, List.copyOf(links), trace, id, idProperty, null);
  }

  /** Property values from a JSON object (strings, numbers and booleans as text); null if not an object. */
  static Map<String, String> properties(JsonNode p) {
    if (p == null || !p.isObject()) return null;
    Map<String, String> out = new LinkedHashMap<>();
    p.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText()));
    return out;
  }

  /** Why this input cannot create a record, or null. */
  String problem() {
    if (structuralProblem != null) return structuralProblem;
    String invalid = propertyProblem();
    if (invalid != null) return invalid;
    if (type.engagement()) {
      String ts = properties.get("hs_timestamp");
      if (ts == null || ts.isBlank()) return "Property values were not valid: hs_timestamp is required to create a " + type.singular();
      if (!isTimestamp(ts)) return "Property values were not valid: hs_timestamp '" + ts + "' is neither an ISO-8601 instant nor epoch milliseconds";
    }
    return null;
  }

  /**
   * Why these property values are invalid for any write (create, update, upsert), or null: a
   * contact's {@code email} must be an address, as HubSpot checks it (HubSpot's wording and
   * {@code INVALID_EMAIL}); an empty value clears the property and is fine.
   */
  String propertyProblem() {
    return propertyProblem(type, properties);
  }

  /** {@link #propertyProblem()} of {@code properties} written to a record of {@code type}. */
  static String propertyProblem(HubSpotObjectType type, Map<String, String> properties) {
    if (type != HubSpotObjectType.CONTACTS) return null;
    String email = properties.get("email");
    if (email == null || email.isEmpty() || validEmail(email)) return null;
    String quoted = email.replace("\\", "\\\\").replace("\"", "\\\"");
    return "Property values were not valid: [{\"isValid\":false,\"message\":\"Email address " + quoted
        + " is invalid\",\"error\":\"INVALID_EMAIL\",\"name\":\"email\",\"localizedErrorMessage\":\"Email address "
        + quoted + " is invalid\"}]";
  }

  private static final java.util.regex.Pattern EMAIL = java.util.regex.Pattern.compile(
      "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
          + "@([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}");

  /** An address with one {@code @}, a dot-atom local part and a host name with a top-level domain. */
  static boolean validEmail(String s) {
    return s.length() <= 254 && EMAIL.matcher(s).matches();
  }

  static boolean isTimestamp(String s) {
    if (s.chars().allMatch(Character::isDigit)) return true;
    try {
      Instant.parse(s);
      return true;
    } catch (DateTimeParseException e) {
      return false;
    }
  }
}
