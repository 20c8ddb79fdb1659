SELECT id, source, email, fields::text, destination, state, version, submissions, attempts, crm_id, last_error,
       received_at, updated_at, sent_at, available_at
FROM ${schema}.leads
WHERE id = :id
