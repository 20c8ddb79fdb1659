-- dead | cancelled | retryable -> ready now, with a fresh set of attempts.
UPDATE ${schema}.job
SET state = 'ready', run_at = :now, attempt = 0, finished_at = NULL, worker_id = NULL, heartbeat_at = NULL
WHERE id = :id AND state IN ('dead', 'cancelled', 'retryable')
RETURNING id
