package dev.sluice.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.sync.RecordHistory;
import dev.sluice.sync.StreamCounts;
import dev.sluice.sync.SyncEvent;
import dev.sluice.sync.SyncRun;
import dev.sluice.sync.SyncStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * The wire form of runs, streams, events and record histories (snake_case, instants as ISO-8601
 * UTC, durations in milliseconds). One place, so the HTTP API, the CLI's {@code --json} output and
 * {@code docs/http-api.md} agree.
 */
public final class RunJson {
  private final ObjectMapper json;

  public RunJson(ObjectMapper json) {
    this.json = json;
  }

  /** A run with its streams and counts. */
  public ObjectNode run(SyncRun run) {
    ObjectNode n = json.createObjectNode();
    n.put("run_id", run.id());
    n.put("connection", run.connection());
    ArrayNode objects = n.putArray("objects");
    run.objects().forEach(objects::add);
    n.put("mode", run.mode().name().toLowerCase(Locale.ROOT));
    n.put("status", run.status().wire());
    n.put("current_object", run.currentObject());
    n.put("phase", run.phase());
    ObjectNode counts = n.putObject("counts");
    run.counts().forEach((object, c) -> counts.set(object, counts(c)));
    n.set("totals", counts(run.totals()));
    n.put("requests", run.requests());
    ArrayNode streams = n.putArray("streams");
    run.streams().forEach(s -> streams.add(stream(s)));
    instant(n, "created_at", run.createdAt());
    instant(n, "started_at", run.startedAt());
    instant(n, "finished_at", run.finishedAt());
    if (run.startedAt() != null && run.finishedAt() != null) {
      n.put("duration_ms", Duration.between(run.startedAt(), run.finishedAt()).toMillis());
    } else {
      n.putNull("duration_ms");
    }
    n.put("last_error", run.lastError());
    if (run.eta() == null) n.putNull("eta_seconds"); else n.put("eta_seconds", run.eta().toSeconds());
    n.put("last_event_seq", run.lastEventSeq());
    return n;
  }

  /** The short form used in lists. */
  public ObjectNode runSummary(SyncRun run) {
    ObjectNode n = json.createObjectNode();
    n.put("run_id", run.id());
    n.put("connection", run.connection());
    ArrayNode objects = n.putArray("objects");
    run.objects().forEach(objects::add);
    n.put("mode", run.mode().name().toLowerCase(Locale.ROOT));
    n.put("status", run.status().wire());
    n.set("totals", counts(run.totals()));
    instant(n, "created_at", run.createdAt());
    instant(n, "finished_at", run.finishedAt());
    n.put("last_error", run.lastError());
    return n;
  }

  ObjectNode stream(SyncStream s) {
    ObjectNode n = json.createObjectNode();
    n.put("object", s.objectType());
    n.put("status", s.status().wire());
    n.put("pages", s.pagesCommitted());
    n.put("requests", s.requests());
    n.set("counts", counts(s.counts()));
    n.put("position", s.position());
    if (s.estimatedTotal() == null) n.putNull("estimated_total"); else n.put("estimated_total", s.estimatedTotal());
    instant(n, "incremental_since", s.incrementalSince());
    instant(n, "started_at", s.startedAt());
    instant(n, "finished_at", s.finishedAt());
    n.put("last_error", s.lastError());
    return n;
  }

  ObjectNode counts(StreamCounts c) {
    ObjectNode n = json.createObjectNode();
    n.put("fetched", c.fetched());
    n.put("created", c.created());
    n.put("updated", c.updated());
    n.put("unchanged", c.unchanged());
    n.put("archived", c.archived());
    n.put("failed", c.failed());
    return n;
  }

  /** One event of a run's log. */
  public ObjectNode event(SyncEvent e) {
    ObjectNode n = json.createObjectNode();
    n.put("seq", e.seq());
    n.put("run_id", e.runId());
    n.put("type", e.type().wire());
    n.put("stream", e.stream());
    instant(n, "at", e.at());
    n.set("payload", e.payload() == null ? json.createObjectNode() : e.payload());
    return n;
  }

  /** A record's mirror row and every page that changed it. */
  public ObjectNode history(RecordHistory h) {
    ObjectNode n = json.createObjectNode();
    n.put("connection", h.connection());
    n.put("object_type", h.objectType());
    n.put("external_id", h.externalId());
    if (h.current().isEmpty()) {
      n.putNull("current");
    } else {
      RecordHistory.MirrorRow r = h.current().get();
      ObjectNode c = n.putObject("current");
      c.set("properties", orNull(r.properties()));
      c.set("associations", orNull(r.associations()));
      c.put("archived", r.archived());
      instant(c, "source_updated_at", r.sourceUpdatedAt());
      c.put("content_hash", r.contentHash());
      c.put("first_seen_run", r.firstSeenRun());
      c.put("last_changed_run", r.lastChangedRun());
      instant(c, "synced_at", r.syncedAt());
    }
    ArrayNode changes = n.putArray("changes");
    for (RecordHistory.Change ch : h.changes()) {
      ObjectNode c = changes.addObject();
      c.put("source", ch.fromWebhook() ? "webhook" : "sync");
      if (ch.fromWebhook()) {
        c.putNull("run_id");
        c.put("event_id", ch.inboundEventId());
      } else {
        c.put("run_id", ch.runId());
        c.putNull("event_id");
      }
      c.put("event_seq", ch.eventSeq());
      c.put("page", ch.page());
      c.put("kind", ch.kind());
      ArrayNode props = c.putArray("changed_properties");
      ch.changedProperties().forEach(props::add);
      c.put("run_mode", ch.runMode());
      instant(c, "at", ch.at());
    }
    if (h.nextAfter() == null) {
      n.putNull("next_after");
    } else {
      n.put("next_after", h.nextAfter());
    }
    return n;
  }

  private JsonNode orNull(JsonNode n) {
    return n == null ? json.nullNode() : n;
  }

  static void instant(ObjectNode n, String field, Instant at) {
    if (at == null) n.putNull(field); else n.put(field, at.toString());
  }
}
