package dev.sluice.connectors.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Decoding of HubSpot's record and association JSON, tolerant where the official client says real responses vary. */
final class HubSpotRecords {

  private HubSpotRecords() {}

  /** Thrown for a response that does not have the documented shape; the caller adds the page position. */
  static final class ShapeException extends RuntimeException {
    ShapeException(String message) {
      super(message);
    }
  }

  /** One object of a list or search {@code results} array, before associations are attached. */
  record RawRecord(String id, Map<String, String> properties, boolean archived, Instant updatedAt, Instant archivedAt) {}

  static List<JsonNode> results(JsonNode body) {
    JsonNode results = body == null ? null : body.get("results");
    if (results == null || !results.isArray()) {
      throw new ShapeException("the answer has no \"results\" array");
    }
    java.util.ArrayList<JsonNode> out = new java.util.ArrayList<>();
    results.forEach(out::add);
    return out;
  }

  /** The {@code paging.next.after} cursor, or null on the last page. Opaque: returned as sent. */
  static String nextAfter(JsonNode body) {
    JsonNode after = body.path("paging").path("next").path("after");
    return after.isMissingNode() || after.isNull() ? null : after.asText();
  }

  static RawRecord record(JsonNode r) {
    String id = id(r.get("id"));
    if (id == null) {
      throw new ShapeException("a record without \"id\"");
    }
    Map<String, String> props = new LinkedHashMap<>();
    JsonNode p = r.get("properties");
    if (p != null && p.isObject()) {
      p.fields().forEachRemaining(e -> props.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText()));
    }
    return new RawRecord(id, props, r.path("archived").asBoolean(false), instant(text(r.get("updatedAt"))),
        instant(text(r.get("archivedAt"))));
  }

  /** Ids arrive as strings or as JSON numbers (which may exceed 2^32, even 2^63 for strings): keep the digits. */
  static String id(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return null;
    }
    if (n.isIntegralNumber()) {
      return n.bigIntegerValue().toString();
    }
    if (n.isNumber()) {
      // A float-shaped id (e.g. 1.2E10) still names an integer.
      return n.decimalValue().toBigIntegerExact().toString();
    }
    String s = n.asText();
    return s.isEmpty() ? null : s;
  }

  private static String text(JsonNode n) {
    return n == null || n.isNull() ? null : n.asText();
  }

  /** ISO-8601 instant or epoch milliseconds (HubSpot uses both for datetime properties); null when absent or unreadable. */
  static Instant instant(String s) {
    if (s == null || s.isBlank()) {
      return null;
    }
    String t = s.trim();
    if (t.chars().allMatch(Character::isDigit)) {
      return Instant.ofEpochMilli(Long.parseLong(t));
    }
    try {
      return Instant.parse(t);
    } catch (DateTimeParseException e) {
      try {
        return OffsetDateTime.parse(t).toInstant();
      } catch (DateTimeParseException e2) {
        return null;
      }
    }
  }

  /**
   * Associations of a v4 batch read: from-id to the target ids. Inputs without associations come
   * back as 207 errors ({@code NO_ASSOCIATIONS_FOUND}) and simply have no entry.
   *
   * @param pagedFromIds receives from-ids whose result carries its own {@code paging} (more to fetch)
   */
  static Map<String, List<String>> associations(JsonNode body, Map<String, String> pagedFromIds) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (JsonNode result : results(body)) {
      String from = id(result.path("from").get("id"));
      if (from == null) {
        throw new ShapeException("an association result without \"from.id\"");
      }
      List<String> to = out.computeIfAbsent(from, k -> new java.util.ArrayList<>());
      to.addAll(targetIds(result.path("to")));
      String after = nextAfter(result);
      if (after != null) {
        pagedFromIds.put(from, after);
      }
    }
    return out;
  }

  /** {@code toObjectId} of each element (number or string). */
  static List<String> targetIds(JsonNode to) {
    java.util.ArrayList<String> ids = new java.util.ArrayList<>();
    if (to != null && to.isArray()) {
      for (JsonNode t : to) {
        String id = id(t.has("toObjectId") ? t.get("toObjectId") : t.get("id"));
        if (id == null) {
          throw new ShapeException("an association without \"toObjectId\"");
        }
        ids.add(id);
      }
    }
    return ids;
  }

  /**
   * True when every error of a 207 association answer only says "this input has no associations"
   * (or no longer exists); anything else is a real failure.
   */
  static boolean onlyMissingAssociations(JsonNode body) {
    JsonNode errors = body.path("errors");
    for (JsonNode e : errors) {
      String sub = e.path("subCategory").asText("");
      String cat = e.path("category").asText("");
      if (!sub.endsWith("NO_ASSOCIATIONS_FOUND") && !"OBJECT_NOT_FOUND".equals(cat)) {
        return false;
      }
    }
    return true;
  }
}
