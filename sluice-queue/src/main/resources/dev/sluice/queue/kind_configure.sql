INSERT INTO ${schema}.job_kind (kind, max_running, max_running_per_key, timeout_ms, retry_base_ms, retry_max_ms,
                                retry_jitter, retry_max_attempts, dedupe_window_ms, keep_finished, updated_at)
VALUES (:kind, :max_running::int, :max_running_per_key::int, :timeout_ms::bigint, :retry_base_ms, :retry_max_ms,
        :retry_jitter, :retry_max_attempts, :dedupe_window_ms::bigint, :keep_finished, :now)
ON CONFLICT (kind) DO UPDATE
SET max_running = excluded.max_running, max_running_per_key = excluded.max_running_per_key,
    timeout_ms = excluded.timeout_ms, retry_base_ms = excluded.retry_base_ms, retry_max_ms = excluded.retry_max_ms,
    retry_jitter = excluded.retry_jitter, retry_max_attempts = excluded.retry_max_attempts,
    dedupe_window_ms = excluded.dedupe_window_ms, keep_finished = excluded.keep_finished, updated_at = excluded.updated_at
