SELECT seq, run_id, type, payload::text AS payload, at
FROM ${schema}.pipeline_event
WHERE run_id = :run AND seq > :after
ORDER BY seq
LIMIT :limit
