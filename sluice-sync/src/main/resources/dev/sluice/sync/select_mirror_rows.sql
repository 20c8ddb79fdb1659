SELECT external_id, content_hash, properties::text, associations::text, archived, source_updated_at
FROM ${schema}.record
WHERE connection = ? AND object_type = ? AND external_id = ANY(?)
