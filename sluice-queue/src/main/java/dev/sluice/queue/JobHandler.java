package dev.sluice.queue;

/**
 * JobHandler runs jobs of one kind. Returning normally completes the job; throwing
 * {@link JobSnooze} reschedules it without spending an attempt; {@link PermanentJobFailure} makes
 * it dead at once; any other exception is retried with the kind's backoff until attempts run out.
 *
 * <p>Execution is at least once: a crash after the handler's effects but before the completion is
 * recorded runs it again, so handlers must be idempotent (use the job id or a dedupe key as an
 * idempotency key for outside effects). Called concurrently from many virtual threads.
 */
@FunctionalInterface
public interface JobHandler {
  void handle(JobContext ctx) throws Exception;
}
