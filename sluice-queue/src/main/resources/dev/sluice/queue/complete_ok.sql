-- Batched completion of successful runs: the rows leave the hot table (DELETE ... RETURNING) into
-- the narrow, append-only job_finished. Only rows still running under the lease the outcome names
-- match: an outcome of an earlier claim of the same job (rescued, retried, re-claimed) is dropped.
-- Leases whose jobs all have their outcome (:released) are deleted in the same statement.
-- The lease match is the state check: job_lease_check makes "lease = :lease" imply "running".
-- (Written as state = 'running' it would let the planner read the whole running index for every
-- outcome when its statistics say no job runs, as right after a bulk enqueue and ANALYZE.)
-- async_commit: the commit does not wait for the WAL flush; see claim.sql for why that is safe.
WITH async_commit AS MATERIALIZED (
  SELECT set_config('synchronous_commit', 'off', true)
), done AS (
  DELETE FROM ${schema}.job j
  USING unnest(:ids::bigint[], :leases::uuid[]) AS u(id, lease), async_commit
  WHERE j.id = u.id AND j.lease = u.lease
  RETURNING j.id, j.kind, j.priority, j.attempt, j.max_attempts, j.dedupe_key, j.concurrency_key, j.last_error,
            j.progress, j.created_at, j.started_at
), finished AS (
  INSERT INTO ${schema}.job_finished (id, kind, state, priority, attempt, max_attempts, dedupe_key, concurrency_key,
                                      last_error, progress, worker_id, created_at, started_at, finished_at)
  SELECT id, kind, 'completed', priority, attempt, max_attempts, dedupe_key, concurrency_key, last_error, progress, :worker,
         created_at, started_at, :now
  FROM done
), released AS (
  DELETE FROM ${schema}.job_lease WHERE lease = ANY(:released::uuid[])
)
SELECT count(*) FROM done
