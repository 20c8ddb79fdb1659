-- Which of a job's requests still wait for their events to be handled (a retried job skips the rest).
SELECT id
FROM ${schema}.inbound_request
WHERE id = ANY(:ids::bigint[]) AND handled_at IS NULL
ORDER BY id
