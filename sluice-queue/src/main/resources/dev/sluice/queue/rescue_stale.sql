-- Jobs whose worker stopped heartbeating for longer than their timeout (job, then kind, then the
-- rescuer's default): running -> retryable now, or dead when no attempt is left.
WITH stale AS (
  SELECT j.id
  FROM ${schema}.job j LEFT JOIN ${schema}.job_kind k ON k.kind = j.kind
  WHERE j.state = 'running'
    AND j.heartbeat_at < :now - coalesce(j.timeout_ms, k.timeout_ms, :default_timeout_ms) * interval '1 millisecond'
  ORDER BY j.id
  LIMIT :limit
  FOR UPDATE OF j SKIP LOCKED
)
UPDATE ${schema}.job j
SET state = CASE WHEN j.attempt >= j.max_attempts THEN 'dead' ELSE 'retryable' END,
    run_at = :now,
    finished_at = CASE WHEN j.attempt >= j.max_attempts THEN :now END,
    last_error = 'rescued: worker ' || coalesce(j.worker_id, '?') || ' stopped heartbeating (last heartbeat '
                 || j.heartbeat_at::text || ')',
    last_error_stack = NULL,
    worker_id = NULL,
    heartbeat_at = NULL
FROM stale
WHERE j.id = stale.id AND j.state = 'running'
RETURNING j.id
