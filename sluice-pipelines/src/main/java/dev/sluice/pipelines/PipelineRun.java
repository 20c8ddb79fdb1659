package dev.sluice.pipelines;

import java.time.Instant;

/**
 * A pipeline run as stored.
 *
 * @param position the last source external id the run has handled ({@code ""} before its first batch)
 * @param selected source records the run considered (changed since their last push)
 * @param synced records written to the destination
 * @param failed records not written: the mapping's or the destination's error is in their result
 * @param skipped records left alone: unchanged after mapping, an echo of Sluice's own write, a
 *     conflict the other side wins, an archived source record, a duplicate
 * @param writeCalls batch write requests sent to the destination
 */
public record PipelineRun(long id, String pipeline, PipelineRunStatus status, String trigger, int generation,
    String position, long batchesCommitted, long selected, long synced, long failed, long skipped, long writeCalls, String lastError,
    Instant createdAt, Instant startedAt, Instant finishedAt) {}
