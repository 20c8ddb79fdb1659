-- Newest first, optionally one state and/or one source, paged by id.
SELECT id, source, email, fields::text, destination, state, version, submissions, attempts, crm_id, last_error,
       received_at, updated_at, sent_at, available_at
FROM ${schema}.leads
WHERE (CAST(:state AS text) IS NULL OR state = :state)
  AND (CAST(:source AS text) IS NULL OR source = :source)
  AND (CAST(:before_id AS bigint) IS NULL OR id < :before_id)
ORDER BY id DESC
LIMIT :limit
