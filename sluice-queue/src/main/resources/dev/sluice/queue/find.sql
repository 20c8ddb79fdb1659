SELECT id, kind, payload::text, state, priority, run_at, attempt, max_attempts, dedupe_key, concurrency_key,
       last_error, last_error_stack, progress::text, worker_id, heartbeat_at, timeout_ms, created_at, started_at, finished_at
FROM ${schema}.job
WHERE id = :id
