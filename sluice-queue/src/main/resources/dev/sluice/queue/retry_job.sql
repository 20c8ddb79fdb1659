-- dead | cancelled (job_dead) -> ready now, back in the hot table with a fresh set of attempts;
-- retryable -> ready now, attempts reset.
WITH revived AS (
  DELETE FROM ${schema}.job_dead WHERE id = :id AND state IN ('dead', 'cancelled') RETURNING *
), inserted AS (
  INSERT INTO ${schema}.job (id, kind, payload, state, priority, run_at, attempt, max_attempts, dedupe_key,
                             concurrency_key, last_error, last_error_stack, progress, timeout_ms, created_at)
  OVERRIDING SYSTEM VALUE
  SELECT id, kind, payload, 'ready', priority, :now, 0, max_attempts, dedupe_key, concurrency_key, last_error,
         last_error_stack, progress, timeout_ms, created_at
  FROM revived
  RETURNING id
), waiting AS (
  UPDATE ${schema}.job SET state = 'ready', run_at = :now, attempt = 0
  WHERE id = :id AND state = 'retryable'
  RETURNING id
)
SELECT id FROM inserted
UNION ALL
SELECT id FROM waiting
