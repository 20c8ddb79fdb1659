-- Batched completion of successful runs: running -> completed. A row that was rescued, cancelled
-- or re-claimed meanwhile no longer matches (state, worker, attempt) and is left alone.
-- async_commit: the commit does not wait for the WAL flush; see claim.sql for why that is safe.
WITH async_commit AS MATERIALIZED (
  SELECT set_config('synchronous_commit', 'off', true)
)
UPDATE ${schema}.job j
SET state = 'completed', finished_at = :now, worker_id = NULL, heartbeat_at = NULL
FROM unnest(:ids::bigint[], :attempts::int[]) AS u(id, attempt), async_commit
WHERE j.id = u.id AND j.attempt = u.attempt AND j.state = 'running' AND j.worker_id = :worker
