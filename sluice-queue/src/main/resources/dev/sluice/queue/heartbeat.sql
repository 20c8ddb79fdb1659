UPDATE ${schema}.job
SET heartbeat_at = :now
WHERE id = ANY(:ids::bigint[]) AND state = 'running' AND worker_id = :worker
