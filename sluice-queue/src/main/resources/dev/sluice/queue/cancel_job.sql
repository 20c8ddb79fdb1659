-- ready | retryable | running | dead -> cancelled. A running handler is not interrupted, but its
-- outcome no longer matches state = 'running' and is dropped.
UPDATE ${schema}.job
SET state = 'cancelled', finished_at = :now, worker_id = NULL, heartbeat_at = NULL
WHERE id = :id AND state IN ('ready', 'retryable', 'running', 'dead')
RETURNING id
