-- Jobs by state (null: all), kind and error text, newest first. Each table is read only when the
-- state asked for can be in it (the state test on parameters alone is a one-time filter).
SELECT * FROM (
  (SELECT j.id, j.kind, j.payload::text, j.state, j.priority, j.run_at, j.attempt, j.max_attempts, j.dedupe_key,
          j.concurrency_key, j.last_error, j.last_error_stack, j.progress::text, l.worker_id, l.heartbeat_at,
          j.timeout_ms, j.created_at, j.started_at, NULL::timestamptz AS finished_at
   FROM ${schema}.job j LEFT JOIN ${schema}.job_lease l ON l.lease = j.lease
   WHERE (:state::text IS NULL OR :state::text IN ('ready', 'retryable', 'running'))
     AND (:state::text IS NULL OR j.state = :state::text)
     AND (:kind::text IS NULL OR j.kind = :kind::text)
     AND (:error_contains::text IS NULL OR strpos(j.last_error, :error_contains::text) > 0)
   ORDER BY j.id DESC LIMIT :limit)
  UNION ALL
  (SELECT id, kind, payload::text, state, priority, run_at, attempt, max_attempts, dedupe_key, concurrency_key,
          last_error, last_error_stack, progress::text, worker_id, NULL, timeout_ms, created_at, started_at, finished_at
   FROM ${schema}.job_dead
   WHERE (:state::text IS NULL OR :state::text IN ('dead', 'cancelled'))
     AND (:state::text IS NULL OR state = :state::text)
     AND (:kind::text IS NULL OR kind = :kind::text)
     AND (:error_contains::text IS NULL OR strpos(last_error, :error_contains::text) > 0)
   ORDER BY id DESC LIMIT :limit)
  UNION ALL
  (SELECT id, kind, NULL, state, priority, NULL, attempt, max_attempts, dedupe_key, concurrency_key,
          last_error, NULL, progress::text, worker_id, NULL, NULL, created_at, started_at, finished_at
   FROM ${schema}.job_finished
   WHERE (:state::text IS NULL OR :state::text IN ('completed', 'shadowed'))
     AND :error_contains::text IS NULL
     AND (:state::text IS NULL OR state = :state::text)
     AND (:kind::text IS NULL OR kind = :kind::text)
   ORDER BY id DESC LIMIT :limit)
) jobs
ORDER BY id DESC
LIMIT :limit
