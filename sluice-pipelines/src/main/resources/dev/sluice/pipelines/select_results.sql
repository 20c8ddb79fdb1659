SELECT source_id, batch, status, reason, destination_id, error, at
FROM ${schema}.pipeline_result
WHERE run_id = :run AND (CAST(:status AS text) IS NULL OR status = :status) AND source_id > :after
ORDER BY source_id
LIMIT :limit
