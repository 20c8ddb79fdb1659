-- The leads a storing transaction named (sluice-leads' table), as lead rules see them.
SELECT id, source, email, fields::text AS fields, version, submissions, state, received_at, updated_at
FROM ${schema}.leads
WHERE id = ANY(:ids)
ORDER BY id
