SELECT kind, paused, shadow, max_running, max_running_per_key, timeout_ms, retry_base_ms, retry_max_ms,
       retry_jitter, retry_max_attempts, dedupe_window_ms, keep_finished
FROM ${schema}.job_kind
ORDER BY kind
