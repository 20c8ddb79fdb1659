-- A run's per-record results counted by status and reason (echo, conflict, duplicate, ...).
SELECT status, COALESCE(reason, '') AS reason, count(*) AS n
FROM ${schema}.pipeline_result
WHERE run_id = :run
GROUP BY status, COALESCE(reason, '')
ORDER BY status, reason
