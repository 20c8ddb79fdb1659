-- Batched outcomes other than success: running -> retryable | dead | ready (snooze or release,
-- which gives the attempt back).
-- async_commit: the commit does not wait for the WAL flush; see claim.sql for why that is safe.
WITH async_commit AS MATERIALIZED (
  SELECT set_config('synchronous_commit', 'off', true)
)
UPDATE ${schema}.job j
SET state = u.state,
    run_at = CASE WHEN u.state = 'dead' THEN j.run_at ELSE timestamptz 'epoch' + u.run_at_ms * interval '1 millisecond' END,
    attempt = CASE WHEN u.state = 'ready' THEN j.attempt - 1 ELSE j.attempt END,
    finished_at = CASE WHEN u.state = 'dead' THEN :now END,
    last_error = coalesce(u.error, j.last_error),
    last_error_stack = CASE WHEN u.error IS NULL THEN j.last_error_stack ELSE u.stack END,
    worker_id = NULL,
    heartbeat_at = NULL
FROM unnest(:ids::bigint[], :attempts::int[], :states::text[], :run_at_ms::bigint[], :errors::text[], :stacks::text[])
     AS u(id, attempt, state, run_at_ms, error, stack), async_commit
WHERE j.id = u.id AND j.attempt = u.attempt AND j.state = 'running' AND j.worker_id = :worker
  AND u.state IN ('retryable', 'dead', 'ready')
