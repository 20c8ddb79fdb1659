package dev.sluice.sync;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a run's status follows from its streams, and how a run is rebuilt from its event log alone.
 * The cached columns of {@code sync_run} and {@code sync_stream} are written by the same rules in
 * the transaction that appends each event; {@link #replay} lets anyone check that they agree.
 */
final class RunProjection {
  private RunProjection() {}

  /**
   * The run status for these stream statuses. Cancelled wins; then all streams final gives completed,
   * failed or partially completed; then any retrying stream makes the run retrying; any progress makes it
   * processing; otherwise it is pending.
   */
  static RunStatus runStatus(Collection<StreamStatus> streams, boolean cancelled) {
    if (cancelled) {
      return RunStatus.CANCELLED;
    }
    boolean allFinal = streams.stream().allMatch(StreamStatus::terminal);
    if (allFinal && !streams.isEmpty()) {
      long completed = streams.stream().filter(s -> s == StreamStatus.COMPLETED).count();
      if (completed == streams.size()) {
        return RunStatus.COMPLETED;
      }
      return completed == 0 ? RunStatus.FAILED : RunStatus.PARTIALLY_COMPLETED;
    }
    if (streams.contains(StreamStatus.RETRYING)) {
      return RunStatus.RETRYING;
    }
    if (streams.stream().anyMatch(s -> s != StreamStatus.PENDING)) {
      return RunStatus.PROCESSING;
    }
    return RunStatus.PENDING;
  }

  /** A short human-readable phase for the run after this event. */
  static String phase(SyncEventType type, String stream, JsonNode p) {
    return switch (type) {
      case RUN_CREATED -> "queued";
      case STREAM_STARTED -> stream + ": reading";
      case PAGE_COMMITTED -> stream + ": page " + (p.path("page").asLong() + 1) + " committed";
      case RETRY -> stream + ": retrying after: " + p.path("reason").asText("");
      case SNOOZE -> PageJobHandler.SEARCH_INDEX.equals(p.path("cause").asText())
          ? stream + ": waiting for the search index (" + p.path("wait_ms").asLong() + " ms)"
          : stream + ": waiting " + Duration.ofMillis(p.path("wait_ms").asLong()).toMillis() + " ms for the rate limit";
      case STREAM_FINISHED -> stream + ": finished";
      case STREAM_FAILED -> stream + ": failed";
      case STREAM_CANCELLED -> stream + ": cancelled";
      case RUN_CANCELLED -> "cancelled";
      case RUN_RESUMED -> "resumed";
      case RUN_FINISHED -> "finished";
    };
  }

  /** A run's status and streams as rebuilt from nothing but its events (oldest first). */
  record Replayed(RunStatus status, Map<String, StreamState> streams, Instant startedAt, Instant finishedAt) {}

  static Replayed replay(long runId, List<SyncEvent> events) {
    Map<String, StreamState> streams = new LinkedHashMap<>();
    boolean cancelled = false;
    Instant started = null;
    Instant finished = null;
    for (SyncEvent e : events) {
      switch (e.type()) {
        case RUN_CREATED -> e.payload().path("objects").forEach(o -> streams.put(o.asText(),
            StreamState.created(runId, o.asText(), null, null)));
        case RUN_CANCELLED -> {
          cancelled = true;
          finished = e.at();
        }
        case RUN_RESUMED -> {
          cancelled = false;
          finished = null;
          e.payload().path("streams").forEach(o -> streams.computeIfPresent(o.asText(),
              (k, s) -> s.apply(SyncEventType.RUN_RESUMED, e.payload(), e.at())));
        }
        case RUN_FINISHED -> finished = e.at();
        default -> {
          if (e.type() == SyncEventType.STREAM_STARTED && started == null) {
            started = e.at();
          }
          streams.computeIfPresent(e.stream(), (k, s) -> s.apply(e.type(), e.payload(), e.at()));
        }
      }
    }
    RunStatus status = runStatus(streams.values().stream().map(StreamState::status).toList(), cancelled);
    return new Replayed(status, streams, started, finished);
  }

  /**
   * Time left: records still expected (from streams whose total is estimated) over the fetch rate so
   * far. Null when the run is final, has not fetched anything, or a stream still running has no estimate.
   */
  static Duration eta(RunStatus status, Instant startedAt, List<SyncStream> streams, Instant now) {
    if (!status.active() || startedAt == null) {
      return null;
    }
    long fetched = 0;
    long remaining = 0;
    for (SyncStream s : streams) {
      fetched += s.counts().fetched();
      if (!s.status().terminal()) {
        if (s.estimatedTotal() == null) {
          return null;
        }
        remaining += Math.max(0, s.estimatedTotal() - s.counts().fetched());
      }
    }
    long elapsedMs = Duration.between(startedAt, now).toMillis();
    if (fetched == 0 || elapsedMs <= 0) {
      return null;
    }
    return Duration.ofMillis((long) (remaining * (elapsedMs / (double) fetched)));
  }
}
