-- Serializes the claims of one capped kind across all processes for the rest of the transaction,
-- so that the running count read by the next statement cannot go stale before it commits.
SELECT paused, shadow, max_running, max_running_per_key
FROM ${schema}.job_kind
WHERE kind = :kind
FOR UPDATE
