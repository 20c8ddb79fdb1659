package dev.sluice.queue;

import java.time.Duration;
import java.time.Instant;

/**
 * Job is a snapshot of one row of the job table. Immutable; it does not follow later changes.
 *
 * @param payload       the JSON payload as text
 * @param attempt       attempts started so far (1 while the first attempt runs)
 * @param lastError     message of the last failure, null if none
 * @param lastErrorStack stack trace of the last failure, null if none
 * @param progress      last progress JSON reported by the handler, null if none
 * @param timeout       the job's own heartbeat timeout, null = the kind's or the default
 */
public record Job(long id, String kind, String payload, JobState state, int priority, Instant runAt,
                  int attempt, int maxAttempts, String dedupeKey, String concurrencyKey,
                  String lastError, String lastErrorStack, String progress, String workerId,
                  Instant heartbeatAt, Duration timeout, Instant createdAt, Instant startedAt,
                  Instant finishedAt) {
}
