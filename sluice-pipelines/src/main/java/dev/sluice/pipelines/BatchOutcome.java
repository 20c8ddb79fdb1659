package dev.sluice.pipelines;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** Every record's final result in one batch, and how it is stored. */
final class BatchOutcome {
  private final List<Decision> decisions;
  /** The batch's identity keys → the records linked to their entities when it was planned. */
  private final Map<String, List<LinkedRecord>> links;
  /** By identity: a decision's own hash walks every map it holds (the record's properties), once per look-up. */
  private final Map<Decision, Outcome> outcomes = new IdentityHashMap<>();
  long writeCalls;
  String authFailure;

  /**
   * @param keepHash false: push the record again next run (a transient failure)
   * @param sent the values written, as the destination's schema converted them (synced only)
   */
  private record Outcome(String status, String reason, String destinationId, String error, boolean keepHash,
      Map<String, String> sent) {
    Outcome(String status, String reason, String destinationId, String error, boolean keepHash) {
      this(status, reason, destinationId, error, keepHash, null);
    }
  }

  BatchOutcome(List<Decision> decisions, Map<String, List<LinkedRecord>> links) {
    this.decisions = decisions;
    this.links = links;
    for (Decision d : decisions) {
      switch (d.kind()) {
        case SKIP -> outcomes.put(d, new Outcome("skipped", d.reason(), d.destinationId(), null, true));
        case FAIL -> outcomes.put(d, new Outcome("failed", d.reason(), null, d.error(), true));
        case SEND, DELETE -> { } // decided by the write or the delete
      }
    }
  }

  void synced(Decision d, String destinationId, Map<String, String> sent) {
    outcomes.put(d, new Outcome("synced", null, destinationId != null ? destinationId : d.destinationId(), null, true, sent));
  }

  /**
   * The mapped record does not fit the destination's schema (a value of the wrong type, a required
   * field empty): nothing of it is sent, and it is pushed again whole once its source changes.
   */
  /** The destination record was deleted (or was gone already). */
  void deleted(Decision d) {
    outcomes.put(d, new Outcome("synced", "deleted", d.destinationId(), null, true));
  }

  void mappingFailed(Decision d, String error) {
    outcomes.put(d, new Outcome("failed", "mapping", d.destinationId(), error, true));
  }

  void failed(Decision d, String error, boolean permanent) {
    outcomes.put(d, new Outcome("failed", "destination", d.destinationId(), error, permanent));
  }

  /** The record's outcome is known. */
  boolean decided(Decision d) {
    return outcomes.containsKey(d);
  }

  int size() {
    return decisions.size();
  }

  long count(String status) {
    return outcomes.values().stream().filter(o -> o.status().equals(status)).count();
  }

  /** The record is linked to the entity of the key whose links are {@code known}. */
  private static boolean linked(List<LinkedRecord> known, String connection, String objectType, String externalId) {
    if (known == null) return false;
    for (LinkedRecord l : known) {
      if (l.externalId().equals(externalId) && l.connection().equals(connection) && l.objectType().equals(objectType)) return true;
    }
    return false;
  }

  /**
   * Results, push states, written fields and identity links, in the caller's transaction; adds the
   * rows each table-part gained (as the upserts count them) to {@code written}, for the planner
   * statistics once committed.
   */
  void store(Connection c, PipelineStore store, Pipeline p, BatchJob job, Instant now, Map<String, Long> written)
      throws SQLException {
    int n = decisions.size();
    String[] ids = new String[n], statuses = new String[n], reasons = new String[n], destIds = new String[n],
        errors = new String[n], hashes = new String[n], mapped = new String[n];
    List<String> keys = new ArrayList<>();
    List<String[]> links = new ArrayList<>();
    List<String> writtenIds = new ArrayList<>();
    List<String> writtenProps = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Decision d = decisions.get(i);
      Outcome o = outcomes.get(d);
      ids[i] = d.row().externalId();
      statuses[i] = o.status();
      reasons[i] = o.reason();
      destIds[i] = o.destinationId();
      errors[i] = o.error();
      hashes[i] = o.keepHash() ? d.row().contentHash() : null;
      boolean failedSend = o.status().equals("failed") && ("destination".equals(o.reason()) || d.kind() == Decision.Kind.SEND);
      mapped[i] = failedSend ? null : PipelineStore.json(d.mapped());
      if (d.key() != null) {
        // only what the batch's look-up did not find already so: a new entity, a new or moved link
        List<LinkedRecord> known = this.links.get(d.key());
        if (known == null) {
          keys.add(d.key());
        }
        if (!linked(known, p.sourceConnection(), p.sourceObject(), d.row().externalId())) {
          links.add(new String[] {d.key(), p.sourceConnection(), p.sourceObject(), d.row().externalId()});
        }
        if (o.destinationId() != null && !"duplicate".equals(o.reason())
            && !linked(known, p.destinationConnection(), p.destinationObject(), o.destinationId())) {
          links.add(new String[] {d.key(), p.destinationConnection(), p.destinationObject(), o.destinationId()});
        }
      }
      if (o.status().equals("synced") && o.destinationId() != null && d.kind() == Decision.Kind.SEND) {
        writtenIds.add(o.destinationId());
        writtenProps.add(PipelineStore.json(o.sent() != null ? o.sent() : d.send()));
      }
    }
    store.update(c, "insert_results", "run", job.run(), "batch", job.batch(), "source_ids", ids, "statuses", statuses,
        "reasons", reasons, "destination_ids", destIds, "errors", errors, "now", now);
    written.merge(PipelineStatistics.records(p), (long) store.update(c, "upsert_record_states", "pipeline", p.name(),
        "run", job.run(), "source_ids", ids, "source_hashes", hashes, "mapped", mapped, "statuses", statuses,
        "destination_ids", destIds, "errors", errors, "now", now), Long::sum);
    if (!writtenIds.isEmpty()) {
      written.merge(PipelineStatistics.written(p), (long) store.update(c, "upsert_written", "connection", p.destinationConnection(),
          "object_type", p.destinationObject(), "external_ids", writtenIds.toArray(String[]::new),
          "properties", writtenProps.toArray(String[]::new), "now", now), Long::sum);
    }
    if (!keys.isEmpty()) {
      written.merge(PipelineStatistics.ENTITIES, (long) store.update(c, "upsert_entities",
          "keys", keys.stream().distinct().sorted().toArray(String[]::new), "now", now), Long::sum);
    }
    if (!links.isEmpty()) {
      written.merge(PipelineStatistics.links(p), (long) store.update(c, "upsert_links",
          "keys", links.stream().map(l -> l[0]).toArray(String[]::new),
          "connections", links.stream().map(l -> l[1]).toArray(String[]::new),
          "object_types", links.stream().map(l -> l[2]).toArray(String[]::new),
          "external_ids", links.stream().map(l -> l[3]).toArray(String[]::new), "now", now), Long::sum);
    }
  }
}
