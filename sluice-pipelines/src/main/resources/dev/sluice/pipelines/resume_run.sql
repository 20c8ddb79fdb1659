-- A failed or cancelled run goes on from its position with a new generation (older batch jobs are stale).
UPDATE ${schema}.pipeline_run
SET status = 'processing', generation = generation + 1, finished_at = NULL, last_error = NULL,
    job_batch = batches_committed
WHERE id = :run AND status IN ('failed', 'cancelled')
RETURNING generation, batches_committed
