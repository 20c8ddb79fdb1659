-- Batched outcomes other than success, matched by (id, lease) like complete_ok.sql:
--   retryable, ready (snooze or release, which gives the attempt back): updated in place;
--   dead, cancelled, and any outcome of a job whose cancel was requested: moved to job_dead.
-- Leases whose jobs all have their outcome (:released) are deleted in the same statement.
-- Both name the state they leave through the MATERIALIZED "leaving" row: see complete_ok.sql for why.
-- Both also say j.id = ANY(:ids), so the planner reads the jobs by primary key and joins them to the
-- outcomes, never hashing the whole hot table (see complete_ok.sql); "leaving" and async_commit are
-- one-time subqueries rather than joined rows.
-- async_commit: the commit does not wait for the WAL flush; see claim.sql for why that is safe.
WITH async_commit AS MATERIALIZED (
  SELECT set_config('synchronous_commit', 'off', true) IS NOT NULL AS done
), leaving AS MATERIALIZED (
  SELECT 'running'::text AS state
), u AS (
  SELECT * FROM unnest(:ids::bigint[], :leases::uuid[], :states::text[], :run_at_ms::bigint[], :errors::text[], :stacks::text[])
           AS u(id, lease, state, run_at_ms, error, stack)
  WHERE u.state IN ('retryable', 'ready', 'dead', 'cancelled')
), moved AS (
  UPDATE ${schema}.job j
  SET state = u.state,
      run_at = timestamptz 'epoch' + u.run_at_ms * interval '1 millisecond',
      attempt = CASE WHEN u.state = 'ready' THEN j.attempt - 1 ELSE j.attempt END,
      last_error = coalesce(u.error, j.last_error),
      last_error_stack = CASE WHEN u.error IS NULL THEN j.last_error_stack ELSE u.stack END,
      lease = NULL
  FROM u
  WHERE j.id = ANY(:ids::bigint[]) AND j.id = u.id AND j.lease = u.lease AND j.state = (SELECT state FROM leaving)
    AND (SELECT done FROM async_commit) AND u.state IN ('retryable', 'ready') AND j.cancel_requested_at IS NULL
  RETURNING j.id
), gone AS (
  DELETE FROM ${schema}.job j
  USING u
  WHERE j.id = ANY(:ids::bigint[]) AND j.id = u.id AND j.lease = u.lease AND j.state = (SELECT state FROM leaving)
    AND (SELECT done FROM async_commit) AND (u.state IN ('dead', 'cancelled') OR j.cancel_requested_at IS NOT NULL)
  RETURNING j.id, j.kind, j.payload, j.priority, j.run_at, j.attempt, j.max_attempts, j.dedupe_key, j.concurrency_key,
            j.last_error, j.last_error_stack, j.progress, j.timeout_ms, j.created_at, j.started_at,
            CASE WHEN j.cancel_requested_at IS NOT NULL THEN 'cancelled' ELSE u.state END AS new_state,
            u.error, u.stack
), buried AS (
  INSERT INTO ${schema}.job_dead (id, kind, payload, state, priority, run_at, attempt, max_attempts, dedupe_key,
                                  concurrency_key, last_error, last_error_stack, progress, worker_id, timeout_ms,
                                  created_at, started_at, finished_at)
  SELECT id, kind, payload, new_state, priority, run_at, attempt, max_attempts, dedupe_key, concurrency_key,
         coalesce(error, last_error), CASE WHEN error IS NULL THEN last_error_stack ELSE stack END, progress, :worker,
         timeout_ms, created_at, started_at, :now
  FROM gone
), released AS (
  DELETE FROM ${schema}.job_lease WHERE lease = ANY(:released::uuid[])
)
SELECT (SELECT count(*) FROM moved) + (SELECT count(*) FROM gone)
