-- Batched completion of successful runs: the rows leave the hot table (DELETE ... RETURNING) into
-- the narrow, append-only job_finished. Only rows still running under the lease the outcome names
-- match: an outcome of an earlier claim of the same job (rescued, retried, re-claimed) is dropped.
-- Leases whose jobs all have their outcome (:released) are deleted in the same statement.
-- Kinds configured with keep_finished = false (KindPolicy.keepFinished) leave no finished row.
-- The state left is named in the WHERE, as every transition does, but through the MATERIALIZED
-- "leaving" row rather than as the literal state = 'running': the literal lets the planner prove the
-- partial running index usable and, when its statistics say no job runs (right after a bulk enqueue
-- and ANALYZE), read that whole index once per outcome (19.7 s for 500 outcomes over 20,000 running
-- jobs); through "leaving" the outcomes drive the plan, each job looked up by its id (3 ms).
-- async_commit: the commit does not wait for the WAL flush; see claim.sql for why that is safe.
WITH async_commit AS MATERIALIZED (
  SELECT set_config('synchronous_commit', 'off', true)
), leaving AS MATERIALIZED (
  SELECT 'running'::text AS state
), done AS (
  DELETE FROM ${schema}.job j
  USING unnest(:ids::bigint[], :leases::uuid[]) AS u(id, lease), async_commit, leaving
  WHERE j.id = u.id AND j.lease = u.lease AND j.state = leaving.state
  RETURNING j.id, j.kind, j.priority, j.attempt, j.max_attempts, j.dedupe_key, j.concurrency_key, j.last_error,
            j.progress, j.created_at, j.started_at
), finished AS (
  INSERT INTO ${schema}.job_finished (id, kind, state, priority, attempt, max_attempts, dedupe_key, concurrency_key,
                                      last_error, progress, worker_id, created_at, started_at, finished_at)
  SELECT id, kind, 'completed', priority, attempt, max_attempts, dedupe_key, concurrency_key, last_error, progress, :worker,
         created_at, started_at, :now
  FROM done
  WHERE NOT EXISTS (SELECT 1 FROM ${schema}.job_kind k WHERE k.kind = done.kind AND NOT k.keep_finished)
), released AS (
  DELETE FROM ${schema}.job_lease WHERE lease = ANY(:released::uuid[])
)
SELECT count(*) FROM done
