package dev.sluice.connectors.hubspot;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
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
 * {"v":1,"phase":"settle","anchor":1718000000000,"pass":{"n":1,"settled":true,"horizon":1717999999000}}
 * {"v":1,"phase":"archived","after":null}                         archived records (both modes)
 * </pre>
 *
 * <p>An incremental read that knows its run's start searches in <em>passes</em>: a pass that began
 * before the search index settled is followed by a {@code settle} checkpoint (wait until the run's
 * start plus the settle time, then search again from {@code anchor}); search checkpoints then carry
 * {@code pass}. Checkpoints without {@code pass} (written before passes existed, or by a read
 * without a run start) are pass 0, not settled.
 *
 * @param phase which part of the stream
 * @param after the platform's list cursor, passed back unchanged (null = first page)
 * @param anchor search: last-modified epoch millis the next query starts at
 * @param strict search: the next query is {@code > anchor} (the tie group at anchor is done) rather than {@code >=}
 * @param tieAfter search_tie: the last {@code hs_object_id} read among records modified exactly at anchor
 * @param seen search: ids modified exactly at {@code anchor} already returned (skipped when the
 *     inclusive query returns them again); at most one page's worth
 * @param pass search, search_tie, settle: which search pass and what it has seen (null: pass 0)
 */
record HubSpotCheckpoint(Phase phase, String after, Long anchor, boolean strict, String tieAfter, List<String> seen, Pass pass) {

  /**
   * One search pass of an incremental read that guarantees the changes made before its run started.
   *
   * @param number 0 for the first pass
   * @param settled the pass began once the settle time after the run's start had passed, so the
   *     index held every change made before the run started for all of its queries
   * @param horizon the latest last-modified time before the run's start returned by the earlier
   *     passes (null: none)
   * @param latest the latest last-modified time before the run's start returned by this pass so far
   */
  record Pass(int number, boolean settled, Long horizon, Long latest) {

    static final Pass FIRST = new Pass(0, false, null, null);

    /** This pass found a change made before the run started that no earlier pass had reached. */
    boolean foundNew() {
      return latest != null && (horizon == null || latest > horizon);
    }

    /** The same pass having also returned a record last modified at {@code lastModified}. */
    Pass saw(long lastModified, long runStart) {
      if (lastModified >= runStart || (latest != null && latest >= lastModified)) {
        return this;
      }
      return new Pass(number, settled, horizon, lastModified);
    }

    /** The horizon after this pass. */
    Long reached() {
      if (latest == null) {
        return horizon;
      }
      return horizon == null ? latest : Math.max(horizon, latest);
    }
  }

  static final int VERSION = 1;

  enum Phase {
    ACTIVE,
    SEARCH,
    SEARCH_TIE,
    SETTLE,
    ARCHIVED;

    String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  HubSpotCheckpoint {
    seen = List.copyOf(seen == null ? List.of() : seen);
  }

  static HubSpotCheckpoint active(String after) {
    return new HubSpotCheckpoint(Phase.ACTIVE, after, null, false, null, List.of(), null);
  }

  static HubSpotCheckpoint archived(String after) {
    return new HubSpotCheckpoint(Phase.ARCHIVED, after, null, false, null, List.of(), null);
  }

  static HubSpotCheckpoint search(long anchor, boolean strict, List<String> seen) {
    return search(anchor, strict, seen, null);
  }

  static HubSpotCheckpoint search(long anchor, boolean strict, List<String> seen, Pass pass) {
    return new HubSpotCheckpoint(Phase.SEARCH, null, anchor, strict, null, seen, pass);
  }

  static HubSpotCheckpoint searchTie(long anchor, String tieAfter, List<String> seen) {
    return searchTie(anchor, tieAfter, seen, null);
  }

  static HubSpotCheckpoint searchTie(long anchor, String tieAfter, List<String> seen, Pass pass) {
    return new HubSpotCheckpoint(Phase.SEARCH_TIE, null, anchor, false, tieAfter, seen, pass);
  }

  /** Wait until the index has settled, then search again from {@code anchor} (inclusive) as pass {@code pass}. */
  static HubSpotCheckpoint settle(long anchor, Pass pass) {
    return new HubSpotCheckpoint(Phase.SETTLE, null, anchor, false, null, List.of(), pass);
  }

  /** {@link #pass}, with checkpoints that have none read as the first pass. */
  Pass passOrFirst() {
    return pass == null ? Pass.FIRST : pass;
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
      case SETTLE -> n.put("anchor", anchor);
    }
    if (pass != null) {
      ObjectNode p = n.putObject("pass");
      p.put("n", pass.number());
      p.put("settled", pass.settled());
      if (pass.horizon() != null) {
        p.put("horizon", pass.horizon());
      }
      if (pass.latest() != null) {
        p.put("latest", pass.latest());
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
    if ((phase == Phase.SEARCH || phase == Phase.SEARCH_TIE || phase == Phase.SETTLE) && anchor == null) {
      throw new IllegalArgumentException("HubSpot search checkpoint without anchor: " + abbreviate(json));
    }
    List<String> seen = new ArrayList<>();
    n.path("seen").forEach(s -> seen.add(s.asText()));
    String tieAfter = n.hasNonNull("tieAfter") ? n.get("tieAfter").asText() : null;
    Pass pass = null;
    JsonNode p = n.get("pass");
    if (p != null && p.isObject()) {
      pass = new Pass(p.path("n").asInt(0), p.path("settled").asBoolean(false),
          p.hasNonNull("horizon") ? p.get("horizon").asLong() : null, p.hasNonNull("latest") ? p.get("latest").asLong() : null);
    }
    return new HubSpotCheckpoint(phase, after, anchor, n.path("strict").asBoolean(false), tieAfter, seen, pass);
  }

  private static String abbreviate(String s) {
    return s == null ? "null" : s.length() > 120 ? s.substring(0, 120) + "…" : s;
  }

  /** Where a read stands, for progress and error messages: the object type, the phase and its cursor. */
  String position(HubSpotObjectType type) {
    String lm = type.lastModifiedProperty();
    return switch (phase) {
      case ACTIVE -> type.name() + " list " + (after == null ? "first page" : "after=" + after) + " (phase active)";
      case ARCHIVED -> type.name() + " list archived " + (after == null ? "first page" : "after=" + after)
          + " (phase archived)";
      case SEARCH -> type.name() + " search " + lm + (strict ? " > " : " >= ") + Instant.ofEpochMilli(anchor)
          + (seen.isEmpty() ? "" : " skipping " + seen.size() + " seen") + passLabel() + " (phase search)";
      case SEARCH_TIE -> type.name() + " search " + lm + " = " + Instant.ofEpochMilli(anchor) + " hs_object_id > "
          + tieAfter + passLabel() + " (phase search_tie)";
      case SETTLE -> type.name() + " search again once the index has settled, " + lm + " >= " + Instant.ofEpochMilli(anchor)
          + passLabel() + " (phase settle)";
    };
  }

  private String passLabel() {
    return pass == null || pass.number() == 0 ? "" : ", pass " + (pass.number() + 1);
  }
}
