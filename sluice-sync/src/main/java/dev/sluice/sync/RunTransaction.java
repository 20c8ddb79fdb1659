package dev.sluice.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Appends events to one run inside the caller's transaction and keeps the cached projection
 * ({@code sync_stream}, {@code sync_run}) in step with them.
 *
 * <p>Opening one locks the run row, so events of one run get their sequence numbers in commit order
 * (a reader following {@code seq > cursor} never misses one). Lock order everywhere: the run first,
 * then its streams ({@link #lockStream}, {@link #lockStreams}), then mirror rows (the page's own
 * records, then the other types' rows its associations touch). Two streams of one run therefore
 * queue on the run row instead of each holding its own rows while waiting for the other's.
 */
final class RunTransaction {
  private final Connection c;
  private final SyncStore store;
  private final Instant now;
  private RunRow run;
  private final Map<String, StreamState> changed = new LinkedHashMap<>();
  private final Map<String, StreamState> known = new HashMap<>();
  private boolean cancelled;
  private final List<Long> seqs = new ArrayList<>();

  private RunTransaction(Connection c, SyncStore store, RunRow run, Instant now) {
    this.c = c;
    this.store = store;
    this.run = run;
    this.now = now;
    this.cancelled = run.status() == RunStatus.CANCELLED;
  }

  /** Locks the run row (the first lock of every run transaction); empty when there is no such run. */
  static Optional<RunTransaction> lock(Connection c, SyncStore store, long runId, Instant now) throws SQLException {
    return store.run(c, runId, true).map(run -> new RunTransaction(c, store, run, now));
  }

  /** {@link #lock}, for a run that must exist. */
  static RunTransaction lockExisting(Connection c, SyncStore store, long runId, Instant now) throws SQLException {
    return lock(c, store, runId, now).orElseThrow(() -> new java.util.NoSuchElementException("no sync run " + runId));
  }

  /** Locks one stream of the run (after the run); events may then change it. */
  Optional<StreamState> lockStream(String objectType) throws SQLException {
    Optional<StreamState> s = store.stream(c, run.id(), objectType, true);
    s.ifPresent(this::track);
    return s;
  }

  /** Locks every stream of the run (after the run), by object type. */
  List<StreamState> lockStreams() throws SQLException {
    List<StreamState> streams = store.lockStreams(c, run.id());
    streams.forEach(this::track);
    return streams;
  }

  /** A stream this transaction created (so holds already); events may then change it. */
  void track(StreamState s) {
    known.put(s.objectType(), s);
  }

  RunRow run() {
    return run;
  }

  StreamState stream(String objectType) {
    return known.get(objectType);
  }

  /** Appends one event and applies it to the projection; returns its sequence number. */
  long append(String stream, SyncEventType type, ObjectNode payload) throws SQLException {
    long seq = store.insertEvent(c, run.id(), stream, type, payload, now);
    seqs.add(seq);
    if (stream != null) {
      StreamState s = known.get(stream);
      if (s == null) {
        throw new IllegalStateException("stream " + stream + " of run " + run.id() + " was not locked");
      }
      StreamState next = s.apply(type, payload, now);
      known.put(stream, next);
      changed.put(stream, next);
    }
    if (type == SyncEventType.RUN_CANCELLED) {
      cancelled = true;
    }
    if (type == SyncEventType.RUN_RESUMED) {
      cancelled = false;
      for (JsonNode o : payload.path("streams")) {
        StreamState s = known.get(o.asText());
        StreamState next = s.apply(type, payload, now);
        known.put(o.asText(), next);
        changed.put(o.asText(), next);
      }
    }
    String error = run.lastError();
    if (type == SyncEventType.RETRY || type == SyncEventType.STREAM_FAILED) {
      error = payload.path("reason").asText(null);
    }
    Instant started = run.startedAt() == null && type == SyncEventType.STREAM_STARTED ? now : run.startedAt();
    run = new RunRow(run.id(), run.connection(), run.objects(), run.mode(), run.status(),
        stream != null ? stream : run.currentObject(), RunProjection.phase(type, stream, payload), error, run.createdAt(),
        started, run.finishedAt(), seq);
    return seq;
  }

  /**
   * Writes the changed streams, derives the run status from all of its streams, appends
   * {@code run-finished} when the run just reached a final status, and writes the run row.
   */
  RunRow finish() throws SQLException {
    for (StreamState s : changed.values()) {
      store.updateStream(c, s);
    }
    // a fresh read after the run lock: sees every stream change committed before us
    List<StreamState> all = store.streams(c, List.of(run.id())).getOrDefault(run.id(), List.of());
    List<StreamStatus> statuses = new ArrayList<>();
    for (StreamState s : all) {
      StreamState mine = changed.get(s.objectType());
      statuses.add((mine != null ? mine : s).status());
    }
    RunStatus before = run.status();
    RunStatus after = RunProjection.runStatus(statuses, cancelled);
    Instant finishedAt = after.active() ? null : run.finishedAt();
    if (!after.active() && (before.active() || finishedAt == null)) {
      finishedAt = now;
    }
    run = new RunRow(run.id(), run.connection(), run.objects(), run.mode(), after, run.currentObject(), run.phase(),
        run.lastError(), run.createdAt(), run.startedAt(), finishedAt, run.lastEventSeq());
    if (!after.active() && before.active() && after != RunStatus.CANCELLED) {
      ObjectNode p = Json.object().put("status", after.wire());
      append(null, SyncEventType.RUN_FINISHED, p);
      run = new RunRow(run.id(), run.connection(), run.objects(), run.mode(), after, run.currentObject(), run.phase(),
          run.lastError(), run.createdAt(), run.startedAt(), finishedAt, run.lastEventSeq());
    }
    if (!after.active() && before.active()) {
      // the duration histogram of /metrics: from the first stream's start (or creation, for a run
      // cancelled before it started) to now
      Instant from = run.startedAt() != null ? run.startedAt() : run.createdAt();
      double seconds = Math.max(0, java.time.Duration.between(from, finishedAt).toNanos() / 1e9);
      store.addRunDuration(c, run.connection(), after, seconds);
    }
    store.updateRun(c, run);
    return run;
  }
}
