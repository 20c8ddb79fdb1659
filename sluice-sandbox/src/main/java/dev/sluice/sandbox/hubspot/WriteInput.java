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
    if (type == HubSpotObjectType.TASKS) {
      String ts = properties.get("hs_timestamp");
      if (ts == null || ts.isBlank()) return "Property values were not valid: hs_timestamp is required to create a task";
      if (!isTimestamp(ts)) return "Property values were not valid: hs_timestamp '" + ts + "' is neither an ISO-8601 instant nor epoch milliseconds";
    }
    if (type == HubSpotObjectType.CONTACTS) {
      String email = properties.get("email");
      if (email != null && !email.isEmpty() && !isEmail(email)) {
        return "Property values were not valid: Email address " + email + " is invalid";
      }
    }
    return null;
  }

  /** HubSpot refuses addresses whose local part is not a dot-atom (leading, trailing or doubled dots) or has no domain dot. */
  static boolean isEmail(String s) {
    int at = s.lastIndexOf('@');
    if (at <= 0 || at == s.length() - 1) return false;
    String local = s.substring(0, at);
    String domain = s.substring(at + 1);
    return !local.startsWith(".") && !local.endsWith(".") && !local.contains("..") && domain.contains(".")
        && !domain.startsWith(".") && !domain.endsWith(".") && !domain.contains("..") && s.chars().noneMatch(Character::isWhitespace);
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
