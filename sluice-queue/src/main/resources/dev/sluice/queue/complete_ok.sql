-- Batched completion of successful runs: running -> completed. A row that was rescued, cancelled
-- or re-claimed meanwhile no longer matches (state, worker, attempt) and is left alone.
UPDATE ${schema}.job j
SET state = 'completed', finished_at = :now, worker_id = NULL, heartbeat_at = NULL
FROM unnest(:ids::bigint[], :attempts::int[]) AS u(id, attempt)
WHERE j.id = u.id AND j.attempt = u.attempt AND j.state = 'running' AND j.worker_id = :worker
