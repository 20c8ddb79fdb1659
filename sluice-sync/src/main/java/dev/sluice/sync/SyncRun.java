package dev.sluice.sync;

import dev.sluice.connectors.SyncMode;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A sync run as its event log projects it (a snapshot; read it again to see progress).
 *
 * @param id the run id
 * @param connection connection name
 * @param objects object types in the order requested
 * @param mode full or incremental
 * @param status run status (lowercase on the wire: {@link RunStatus#wire()})
 * @param currentObject the object type whose page was handled last, or null before the first page
 * @param phase a short human-readable phase, e.g. {@code "reading page 12"}, {@code "waiting 4s for
 *     the rate limit"}, {@code "finished"}
 * @param streams the streams in the order of {@code objects}
 * @param createdAt when the run was triggered
 * @param startedAt when its first page was read, or null
 * @param finishedAt when it reached a final status, or null
 * @param lastError the most recent error of any stream, or null
 * @param eta estimated time left, or null when unknown (first full sync of an object has no total)
 * @param lastEventSeq the sequence number of the newest event of this run (for {@link SyncEngine#events(long, long)})
 */
public record SyncRun(
    long id,
    String connection,
    List<String> objects,
    SyncMode mode,
    RunStatus status,
    String currentObject,
    String phase,
    List<SyncStream> streams,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    String lastError,
    Duration eta,
    long lastEventSeq) {

  /** Counters per object type, in the order of {@code objects}. */
  public Map<String, StreamCounts> counts() {
    Map<String, StreamCounts> m = new LinkedHashMap<>();
    for (SyncStream s : streams) {
      m.put(s.objectType(), s.counts());
    }
    return m;
  }

  /** Counters summed over all streams. */
  public StreamCounts totals() {
    StreamCounts t = StreamCounts.ZERO;
    for (SyncStream s : streams) {
      t = t.plus(s.counts());
    }
    return t;
  }

  /** HTTP requests used by all streams. */
  public long requests() {
    return streams.stream().mapToLong(SyncStream::requests).sum();
  }

  /** The stream of that object type, if the run has it. */
  public java.util.Optional<SyncStream> stream(String objectType) {
    return streams.stream().filter(s -> s.objectType().equals(objectType)).findFirst();
  }
}
