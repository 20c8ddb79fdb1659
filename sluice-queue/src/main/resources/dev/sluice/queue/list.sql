SELECT id, kind, payload::text, state, priority, run_at, attempt, max_attempts, dedupe_key, concurrency_key,
       last_error, last_error_stack, progress::text, worker_id, heartbeat_at, timeout_ms, created_at, started_at, finished_at
FROM ${schema}.job
WHERE (:state::text IS NULL OR state = :state::text)
  AND (:kind::text IS NULL OR kind = :kind::text)
  AND (:error_contains::text IS NULL OR strpos(last_error, :error_contains::text) > 0)
ORDER BY id DESC
LIMIT :limit
