-- Batched completion of successful runs: the rows leave the hot table (DELETE ... RETURNING) into
-- one row of job_finished_batch for the whole batch (parallel arrays; job_finished is the view that
-- unnests them, V71): one insert per batch instead of one per job. Only rows still running under the lease the outcome names
-- match: an outcome of an earlier claim of the same job (rescued, retried, re-claimed) is dropped.
-- Leases whose jobs all have their outcome (:released) are deleted in the same statement.
-- Kinds configured with keep_finished = false (KindPolicy.keepFinished) leave no finished row.
-- The state left is named in the WHERE, as every transition does, but through the MATERIALIZED
-- "leaving" row rather than as the literal state = 'running': the literal lets the planner prove the
-- partial running index usable and, when its statistics say no job runs (right after a bulk enqueue
-- and ANALYZE), read that whole index once per outcome (19.7 s for 500 outcomes over 20,000 running
-- jobs); through "leaving" the outcomes drive the plan, each job looked up by its id (3 ms).
-- The jobs are found by primary key (id = ANY(:ids)), and only then matched with their outcome's lease
-- (a semi join on (id, lease) over the outcomes alone): joining the outcomes to the table let the
-- planner hash the whole hot table once a batch was large. "leaving" and async_commit are one-time
-- subqueries, not joined rows (a joined row is copied whole into every deleted row).
-- async_commit: the commit does not wait for the WAL flush; see claim.sql for why that is safe.
WITH async_commit AS MATERIALIZED (
  SELECT set_config('synchronous_commit', 'off', true) IS NOT NULL AS done
), leaving AS MATERIALIZED (
  SELECT 'running'::text AS state
), done AS (
  DELETE FROM ${schema}.job j
  WHERE j.id = ANY(:ids::bigint[]) AND j.state = (SELECT state FROM leaving) AND (SELECT done FROM async_commit)
    AND (j.id, j.lease) IN (SELECT u.id, u.lease FROM unnest(:ids::bigint[], :leases::uuid[]) AS u(id, lease))
  RETURNING j.id, j.kind, j.priority, j.attempt, j.max_attempts, j.dedupe_key, j.concurrency_key, j.last_error,
            j.progress, j.created_at, j.started_at
), kept AS (
  SELECT * FROM done
  WHERE done.kind <> ALL (ARRAY(SELECT k.kind FROM ${schema}.job_kind k WHERE NOT k.keep_finished))
), finished AS (
  INSERT INTO ${schema}.job_finished_batch (finished_at, state, worker_id, first_id, last_id, ids, kinds, priorities,
                                            attempts, max_attempts, created_at, started_at, dedupe_keys,
                                            concurrency_keys, last_errors, progress)
  SELECT :now, 'completed', :worker, min(id), max(id), array_agg(id), array_agg(kind), array_agg(priority),
         array_agg(attempt), array_agg(max_attempts), array_agg(created_at), array_agg(started_at),
         CASE WHEN count(dedupe_key) > 0 THEN array_agg(dedupe_key) END,
         CASE WHEN count(concurrency_key) > 0 THEN array_agg(concurrency_key) END,
         CASE WHEN count(last_error) > 0 THEN array_agg(last_error) END,
         CASE WHEN count(progress) > 0 THEN array_agg(progress) END
  FROM kept
  HAVING count(*) > 0
), released AS (
  DELETE FROM ${schema}.job_lease WHERE lease = ANY(:released::uuid[])
)
SELECT count(*) FROM done
