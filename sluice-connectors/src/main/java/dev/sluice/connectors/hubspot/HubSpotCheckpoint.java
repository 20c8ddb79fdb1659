package dev.sluice.connectors.hubspot;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where a HubSpot stream stands, serialized as a small JSON object (the opaque checkpoint the sync
 * engine stores with each page).
 *
 * <pre>
 * {"v":1,"phase":"active","after":"NTEy"}                         full read: list cursor (opaque)
 * {"v":1,"phase":"search","anchor":1718000000000,"strict":false,"seen":["7","9"]}
 * {"v":1,"phase":"search_tie","anchor":1718000000000,"tieAfter":"4711","seen":[...]}
 * {"v":1,"phase":"archived","after":null}                         archived records (both modes)
 * </pre>
 *
 * @param phase which part of the stream
 * @param after the platform's list cursor, passed back unchanged (null = first page)
 * @param anchor search: last-modified epoch millis the next query starts at
 * @param strict search: the next query is {@code > anchor} (the tie group at anchor is done) rather than {@code >=}
 * @param tieAfter search_tie: the last {@code hs_object_id} read among records modified exactly at anchor
 * @param seen search: ids modified exactly at {@code anchor} already returned (skipped when the
 *     inclusive query returns them again); at most one page's worth
 */
record HubSpotCheckpoint(Phase phase, String after, Long anchor, boolean strict, String tieAfter, List<String> seen) {

  static final int VERSION = 1;

  enum Phase {
    ACTIVE,
    SEARCH,
    SEARCH_TIE,
    ARCHIVED;

    String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  HubSpotCheckpoint {
    seen = List.copyOf(seen == null ? List.of() : seen);
  }

  static HubSpotCheckpoint active(String after) {
    return new HubSpotCheckpoint(Phase.ACTIVE, after, null, false, null, List.of());
  }

  static HubSpotCheckpoint archived(String after) {
    return new HubSpotCheckpoint(Phase.ARCHIVED, after, null, false, null, List.of());
  }

  static HubSpotCheckpoint search(long anchor, boolean strict, List<String> seen) {
    return new HubSpotCheckpoint(Phase.SEARCH, null, anchor, strict, null, seen);
  }

  static HubSpotCheckpoint searchTie(long anchor, String tieAfter, List<String> seen) {
    return new HubSpotCheckpoint(Phase.SEARCH_TIE, null, anchor, false, tieAfter, seen);
  }

  String toJson() {
    ObjectNode n = HubSpotHttp.JSON.createObjectNode();
    n.put("v", VERSION);
    n.put("phase", phase.wire());
    switch (phase) {
      case ACTIVE, ARCHIVED -> n.put("after", after);
      case SEARCH -> {
        n.put("anchor", anchor);
        n.put("strict", strict);
        n.set("seen", array(seen));
      }
      case SEARCH_TIE -> {
        n.put("anchor", anchor);
        n.put("tieAfter", tieAfter);
        n.set("seen", array(seen));
      }
    }
    return n.toString();
  }

  private static ArrayNode array(List<String> ids) {
    ArrayNode a = HubSpotHttp.JSON.createArrayNode();
    ids.forEach(a::add);
    return a;
  }

  /** @throws IllegalArgumentException when {@code json} is not a checkpoint this connector wrote */
  static HubSpotCheckpoint parse(String json) {
    JsonNode n;
    try {
      n = HubSpotHttp.JSON.readTree(json);
    } catch (JacksonException e) {
      throw new IllegalArgumentException("not a HubSpot checkpoint (unreadable JSON): " + abbreviate(json));
    }
    if (n == null || !n.isObject() || n.path("v").asInt() != VERSION) {
      throw new IllegalArgumentException("not a HubSpot checkpoint of version " + VERSION + ": " + abbreviate(json));
    }
    Phase phase;
    try {
      phase = Phase.valueOf(n.path("phase").asText().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("HubSpot checkpoint with unknown phase: " + abbreviate(json));
    }
    String after = n.hasNonNull("after") ? n.get("after").asText() : null;
    Long anchor = n.hasNonNull("anchor") ? n.get("anchor").asLong() : null;
    if ((phase == Phase.SEARCH || phase == Phase.SEARCH_TIE) && anchor == null) {
      throw new IllegalArgumentException("HubSpot search checkpoint without anchor: " + abbreviate(json));
    }
    List<String> seen = new ArrayList<>();
    n.path("seen").forEach(s -> seen.add(s.asText()));
    String tieAfter = n.hasNonNull("tieAfter") ? n.get("tieAfter").asText() : null;
    return new HubSpotCheckpoint(phase, after, anchor, n.path("strict").asBoolean(false), tieAfter, seen);
  }

  private static String abbreviate(String s) {
    return s == null ? "null" : s.length() > 120 ? s.substring(0, 120) + "…" : s;
  }
}
