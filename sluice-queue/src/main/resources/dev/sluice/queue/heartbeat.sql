-- Heartbeat of a worker's leases: one row per claim batch, not per job. Answers the jobs still
-- running under each lease that is still this worker's, and whether their cancel was requested;
-- a held job missing from the answer was rescued (or its lease was): the worker stops its handler
-- and drops its outcome. The lease lists its jobs (job_ids), which are read by primary key; a job
-- listed there but claimed again since runs under another lease and does not match.
-- async_commit: the commit does not wait for the WAL flush; see claim.sql for why that is safe.
WITH async_commit AS MATERIALIZED (
  SELECT set_config('synchronous_commit', 'off', true)
), beat AS (
  UPDATE ${schema}.job_lease l
  SET heartbeat_at = :now
  FROM async_commit
  WHERE l.lease = ANY(:leases::uuid[]) AND l.worker_id = :worker
  RETURNING l.lease, l.job_ids
)
SELECT j.id, j.lease, j.cancel_requested_at IS NOT NULL AS cancel_requested
FROM beat,
     LATERAL (SELECT j.id, j.lease, j.cancel_requested_at
              FROM ${schema}.job j
              WHERE j.id = ANY(beat.job_ids) AND j.lease = beat.lease AND j.state = 'running') j
