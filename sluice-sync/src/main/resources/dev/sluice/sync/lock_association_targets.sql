-- Rows on the other side of changed associations, locked in key order (fewer deadlocks between streams).
SELECT external_id, properties::text, associations::text, archived, source_updated_at
FROM ${schema}.record
WHERE connection = ? AND object_type = ? AND external_id = ANY(?)
ORDER BY external_id
FOR UPDATE
