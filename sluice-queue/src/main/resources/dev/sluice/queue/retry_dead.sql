-- dead -> ready (back in the hot table, attempts reset) for every dead job matching the filter.
WITH revived AS (
  DELETE FROM ${schema}.job_dead
  WHERE state = 'dead'
    AND (:kind::text IS NULL OR kind = :kind::text)
    AND (:error_contains::text IS NULL OR strpos(last_error, :error_contains::text) > 0)
  RETURNING *
), inserted AS (
  INSERT INTO ${schema}.job (id, kind, payload, state, priority, run_at, attempt, max_attempts, dedupe_key,
                             concurrency_key, last_error, last_error_stack, progress, timeout_ms, created_at)
  OVERRIDING SYSTEM VALUE
  SELECT id, kind, payload, 'ready', priority, :now, 0, max_attempts, dedupe_key, concurrency_key, last_error,
         last_error_stack, progress, timeout_ms, created_at
  FROM revived
  RETURNING id
)
SELECT count(*) FROM inserted
