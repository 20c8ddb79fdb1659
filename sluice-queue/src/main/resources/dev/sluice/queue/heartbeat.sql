-- Heartbeat of a worker's started jobs. Rows locked by someone else are skipped, not waited for:
-- the completer (or the rescuer) is finishing them, so they need no heartbeat, and never waiting
-- means this statement cannot deadlock with a batched completion that locks the same rows in
-- another order.
-- async_commit: the commit does not wait for the WAL flush; see claim.sql for why that is safe.
WITH async_commit AS MATERIALIZED (
  SELECT set_config('synchronous_commit', 'off', true)
), beat AS (
  SELECT id
  FROM ${schema}.job
  WHERE id = ANY(:ids::bigint[]) AND state = 'running' AND worker_id = :worker
  FOR UPDATE SKIP LOCKED
)
UPDATE ${schema}.job j
SET heartbeat_at = :now
FROM beat, async_commit
WHERE j.id = beat.id
