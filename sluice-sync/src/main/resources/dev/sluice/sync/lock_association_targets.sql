-- Rows on the other side of changed associations, locked in key order (fewer deadlocks between
-- streams); one unique-key lookup per id (see select_mirror_rows.sql).
SELECT r.external_id, r.properties::text, r.associations::text, r.archived, r.source_updated_at,
       r.associations_read_at
FROM (SELECT DISTINCT unnest(?::text[]) AS external_id ORDER BY 1) u
CROSS JOIN LATERAL (
  SELECT * FROM ${schema}.record t
  WHERE t.connection = ? AND t.object_type = ? AND t.external_id = u.external_id
  LIMIT 1
  FOR UPDATE
) r
ORDER BY r.external_id
