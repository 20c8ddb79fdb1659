-- Jobs whose lease stopped heartbeating for longer than :rescue_after_ms (the rescuer's setting), but
-- never less than 3 heartbeat intervals of the worker holding the lease (heartbeat_at is stamped with
-- the worker's clock, compared with the rescuer's: a shorter staleness would rescue healthy running
-- jobs): running -> retryable now; dead when no attempt is left; cancelled when a cancel was
-- requested. Their lease stays until rescue_leases.sql finds it empty. A job's or kind's timeout
-- plays no part here: it is the run-time limit the worker's watchdog enforces while the worker lives;
-- rescue is about workers that stopped living, and must not wait an hour for a job allowed an hour.
-- A stale lease's jobs are read by primary key from its list (job_ids), still under that lease.
WITH stale AS (
  SELECT j.id, l.worker_id, l.heartbeat_at
  FROM ${schema}.job_lease l
  JOIN ${schema}.job j ON j.id = ANY(l.job_ids) AND j.lease = l.lease
  WHERE j.state = 'running'
    AND l.heartbeat_at < :now - greatest(:rescue_after_ms, 3 * coalesce(l.heartbeat_interval_ms, 0)) * interval '1 millisecond'
  ORDER BY j.id
  LIMIT :limit
  FOR UPDATE OF j SKIP LOCKED
), requeued AS (
  UPDATE ${schema}.job j
  SET state = 'retryable', run_at = :now, lease = NULL, last_error_stack = NULL,
      last_error = 'rescued: worker ' || stale.worker_id || ' stopped heartbeating (last heartbeat '
                   || stale.heartbeat_at::text || ')'
  FROM stale
  WHERE j.id = stale.id AND j.state = 'running' AND j.attempt < j.max_attempts AND j.cancel_requested_at IS NULL
  RETURNING j.id
), gone AS (
  DELETE FROM ${schema}.job j
  USING stale
  WHERE j.id = stale.id AND j.state = 'running' AND (j.attempt >= j.max_attempts OR j.cancel_requested_at IS NOT NULL)
  RETURNING j.id, j.kind, j.payload, j.priority, j.run_at, j.attempt, j.max_attempts, j.dedupe_key, j.concurrency_key,
            j.progress, j.timeout_ms, j.created_at, j.started_at, j.cancel_requested_at, stale.worker_id, stale.heartbeat_at
), buried AS (
  INSERT INTO ${schema}.job_dead (id, kind, payload, state, priority, run_at, attempt, max_attempts, dedupe_key,
                                  concurrency_key, last_error, last_error_stack, progress, worker_id, timeout_ms,
                                  created_at, started_at, finished_at)
  SELECT id, kind, payload, CASE WHEN cancel_requested_at IS NOT NULL THEN 'cancelled' ELSE 'dead' END, priority, run_at,
         attempt, max_attempts, dedupe_key, concurrency_key,
         'rescued: worker ' || worker_id || ' stopped heartbeating (last heartbeat ' || heartbeat_at::text || ')',
         NULL, progress, worker_id, timeout_ms, created_at, started_at, :now
  FROM gone
)
SELECT id FROM requeued
UNION ALL
SELECT id FROM gone
