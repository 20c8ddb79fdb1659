package dev.sluice.pipelines;

import java.time.Instant;

/**
 * What a run did with one source record.
 *
 * @param status {@code synced}, {@code failed} or {@code skipped}
 * @param reason for skipped: {@code unchanged}, {@code echo}, {@code conflict}, {@code archived}; for
 *     failed: {@code mapping}, {@code duplicate}, {@code destination}
 * @param destinationId the destination's id of the record when known
 * @param error the mapping's or the destination's message
 */
public record RecordResult(String sourceId, long batch, String status, String reason, String destinationId, String error,
    Instant at) {}
