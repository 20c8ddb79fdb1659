package dev.sluice.sync;

import java.time.Instant;

/**
 * One stream (object type) of a run, as projected from the event log.
 *
 * @param objectType e.g. {@code "contacts"}
 * @param status the stream's state
 * @param pagesCommitted pages whose records and checkpoint are committed
 * @param counts record counters
 * @param requests HTTP requests the connector reported for the committed pages
 * @param position the connector's human-readable position after the last committed page
 * @param estimatedTotal records expected (the mirror's row count when the run was created), or null
 * @param incrementalSince for incremental mode, the instant records were read from (null = full read)
 * @param startedAt when its first page was read, or null
 * @param finishedAt when it completed, failed or was cancelled, or null
 * @param lastError the last error (retry reason or failure), or null
 */
public record SyncStream(
    String objectType,
    StreamStatus status,
    long pagesCommitted,
    StreamCounts counts,
    long requests,
    String position,
    Long estimatedTotal,
    Instant incrementalSince,
    Instant startedAt,
    Instant finishedAt,
    String lastError) {}
