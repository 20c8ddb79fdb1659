package dev.sluice.sync;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One {@code sync_stream} row: the cached projection of the stream's events. {@link #apply} is the
 * only way it changes, both when an event is appended and when a run is replayed from its log.
 */
record StreamState(
    long runId,
    String objectType,
    StreamStatus status,
    int generation,
    String checkpoint,
    long pagesCommitted,
    StreamCounts counts,
    long requests,
    String position,
    Long estimatedTotal,
    Instant incrementalSince,
    Instant startedAt,
    Instant finishedAt,
    String lastError) {

  static StreamState created(long runId, String objectType, Long estimatedTotal, Instant incrementalSince) {
    return new StreamState(runId, objectType, StreamStatus.PENDING, 0, null, 0, StreamCounts.ZERO, 0, null,
        estimatedTotal, incrementalSince, null, null, null);
  }

  /** The state after {@code type} happened to this stream at {@code at}. */
  StreamState apply(SyncEventType type, JsonNode p, Instant at) {
    return switch (type) {
      case STREAM_STARTED -> with(StreamStatus.PROCESSING, generation, checkpoint, pagesCommitted, counts, requests,
          position, startedAt == null ? at : startedAt, null, lastError);
      case PAGE_COMMITTED -> with(StreamStatus.PROCESSING, generation,
          p.path("checkpoint").isNull() ? null : p.path("checkpoint").asText(null),
          p.path("page").asLong() + 1,
          counts.plus(countsOf(p)), requests + p.path("requests").asLong(), p.path("position").asText(null),
          startedAt == null ? at : startedAt, null, lastError);
      case RETRY -> with(StreamStatus.RETRYING, generation, checkpoint, pagesCommitted, counts, requests, position,
          startedAt, null, p.path("reason").asText(null));
      case SNOOZE -> this;
      case STREAM_FINISHED -> with(StreamStatus.COMPLETED, generation, checkpoint, pagesCommitted, counts, requests,
          position, startedAt, at, lastError);
      case STREAM_FAILED -> with(StreamStatus.FAILED, generation, checkpoint, pagesCommitted, counts, requests,
          position, startedAt, at, p.path("reason").asText(null));
      case STREAM_CANCELLED -> with(StreamStatus.CANCELLED, generation, checkpoint, pagesCommitted, counts, requests,
          position, startedAt, at, lastError);
      // a resumed stream keeps its checkpoint, counts and start time: it continues where it stopped
      case RUN_RESUMED -> with(StreamStatus.PENDING, generation + 1, checkpoint, pagesCommitted, counts, requests,
          position, startedAt, null, lastError);
      case RUN_CREATED, RUN_CANCELLED, RUN_FINISHED -> this;
    };
  }

  static StreamCounts countsOf(JsonNode p) {
    return new StreamCounts(p.path("fetched").asLong(), p.path("created").asLong(), p.path("updated").asLong(),
        p.path("unchanged").asLong(), p.path("archived").asLong(), p.path("failed").asLong());
  }

  private StreamState with(StreamStatus s, int gen, String cp, long pages, StreamCounts c, long req, String pos,
      Instant started, Instant finished, String err) {
    return new StreamState(runId, objectType, s, gen, cp, pages, c, req, pos, estimatedTotal, incrementalSince,
        started, finished, err);
  }

  SyncStream view() {
    return new SyncStream(objectType, status, pagesCommitted, counts, requests, position, estimatedTotal,
        incrementalSince, startedAt, finishedAt, lastError);
  }
}
