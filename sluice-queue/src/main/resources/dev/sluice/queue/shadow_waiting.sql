-- When a kind enters shadow mode, its waiting jobs are recorded as shadowed: ready | retryable ->
-- shadowed (moved to job_finished).
WITH moved AS (
  DELETE FROM ${schema}.job
  WHERE kind = :kind AND state IN ('ready', 'retryable')
  RETURNING id, kind, priority, attempt, max_attempts, dedupe_key, concurrency_key, progress, created_at
), recorded AS (
  INSERT INTO ${schema}.job_finished (id, kind, state, priority, attempt, max_attempts, dedupe_key, concurrency_key,
                                      progress, created_at, finished_at)
  SELECT id, kind, 'shadowed', priority, attempt, max_attempts, dedupe_key, concurrency_key, progress, created_at, :now
  FROM moved
)
SELECT count(*) FROM moved
