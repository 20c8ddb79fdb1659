-- One job wherever it is: waiting or running (hot table, worker and heartbeat from its lease),
-- dead or cancelled, or completed or shadowed (without payload or run-at: not kept; found through its
-- completion batch's id range, V71).
(SELECT j.id, j.kind, j.payload::text, j.state, j.priority, j.run_at, j.attempt, j.max_attempts, j.dedupe_key,
        j.concurrency_key, j.last_error, j.last_error_stack, j.progress::text, l.worker_id, l.heartbeat_at,
        j.timeout_ms, j.created_at, j.started_at, NULL::timestamptz AS finished_at
 FROM ${schema}.job j LEFT JOIN ${schema}.job_lease l ON l.lease = j.lease
 WHERE j.id = :id)
UNION ALL
(SELECT id, kind, payload::text, state, priority, run_at, attempt, max_attempts, dedupe_key, concurrency_key,
        last_error, last_error_stack, progress::text, worker_id, NULL, timeout_ms, created_at, started_at, finished_at
 FROM ${schema}.job_dead
 WHERE id = :id)
UNION ALL
(SELECT id, kind, NULL, state, priority, NULL, attempt, max_attempts, dedupe_key, concurrency_key,
        last_error, NULL, progress::text, worker_id, NULL, NULL, created_at, started_at, finished_at
 FROM ${schema}.job_finished
 WHERE id = :id AND int8range(batch_first_id, batch_last_id, '[]') @> :id::bigint)
LIMIT 1
