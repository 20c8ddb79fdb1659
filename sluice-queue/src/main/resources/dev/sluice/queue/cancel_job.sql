-- ready | retryable -> cancelled (moved to job_dead); dead -> cancelled; running: the cancel is
-- requested (the row keeps running, and keeps its cap slot, until its handler has returned: the
-- worker learns of it from NOTIFY or its next heartbeat, interrupts the handler and records the
-- job as cancelled).
WITH waiting AS (
  DELETE FROM ${schema}.job WHERE id = :id AND state IN ('ready', 'retryable') RETURNING *
), buried AS (
  INSERT INTO ${schema}.job_dead (id, kind, payload, state, priority, run_at, attempt, max_attempts, dedupe_key,
                                  concurrency_key, last_error, last_error_stack, progress, timeout_ms, created_at,
                                  started_at, finished_at)
  SELECT id, kind, payload, 'cancelled', priority, run_at, attempt, max_attempts, dedupe_key, concurrency_key,
         last_error, last_error_stack, progress, timeout_ms, created_at, started_at, :now
  FROM waiting
), running AS (
  UPDATE ${schema}.job SET cancel_requested_at = :now
  WHERE id = :id AND state = 'running' AND cancel_requested_at IS NULL
  RETURNING id
), dead AS (
  UPDATE ${schema}.job_dead SET state = 'cancelled', finished_at = :now
  WHERE id = :id AND state = 'dead'
  RETURNING id
)
SELECT id FROM waiting
UNION ALL
SELECT id FROM running
UNION ALL
SELECT id FROM dead
