-- Claim jobs of one capped kind while lock_kind.sql holds its row lock: never more than
-- :max_running running in total, nor more than :max_per_key running per concurrency key.
-- Only the first :window runnable rows are considered, which keeps the cost bounded.
-- async_commit: the commit does not wait for the WAL flush; see claim.sql for why that is safe.
WITH async_commit AS MATERIALIZED (
  SELECT set_config('synchronous_commit', 'off', true)
), running AS (
  SELECT count(*) AS n FROM ${schema}.job WHERE kind = :kind AND state = 'running'
), running_per_key AS (
  SELECT concurrency_key, count(*) AS n
  FROM ${schema}.job
  WHERE kind = :kind AND state = 'running' AND concurrency_key IS NOT NULL
  GROUP BY concurrency_key
), candidates AS (
  SELECT j.id, j.priority, j.run_at, j.concurrency_key
  FROM ${schema}.job j
  WHERE j.kind = :kind AND j.state IN ('ready', 'retryable') AND j.run_at <= :now
  ORDER BY j.priority, j.run_at, j.id
  LIMIT :window
  FOR UPDATE OF j SKIP LOCKED
), ranked AS (
  SELECT c.id, c.priority, c.run_at, c.concurrency_key,
         coalesce(r.n, 0) + row_number() OVER (PARTITION BY c.concurrency_key ORDER BY c.priority, c.run_at, c.id) AS key_slot
  FROM candidates c LEFT JOIN running_per_key r ON r.concurrency_key = c.concurrency_key
), chosen AS (
  SELECT id FROM ranked
  WHERE concurrency_key IS NULL OR key_slot <= :max_per_key
  ORDER BY priority, run_at, id
  LIMIT greatest(0, least(:limit, :max_running - (SELECT n FROM running)))
)
UPDATE ${schema}.job j
SET state = 'running', attempt = j.attempt + 1, worker_id = :worker, started_at = :now, heartbeat_at = :now
FROM chosen, async_commit
WHERE j.id = chosen.id AND j.state IN ('ready', 'retryable')
RETURNING j.id, j.kind, j.payload::text, j.priority, j.run_at, j.attempt, j.max_attempts,
          j.dedupe_key, j.concurrency_key, j.timeout_ms, j.created_at
