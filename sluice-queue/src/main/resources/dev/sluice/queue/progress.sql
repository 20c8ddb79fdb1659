UPDATE ${schema}.job
SET progress = :progress::jsonb, heartbeat_at = :now
WHERE id = :id AND state = 'running' AND worker_id = :worker
