-- The stored rows of one page's ids, one unique-key lookup per id: the LIMIT keeps the subquery
-- from being flattened into a join, so each id is an equality on all three key columns. That is
-- the plan PostgreSQL picks once its statistics know how many rows the object type has, which
-- PageJobHandler's TableStatistics sees to; "external_id = ANY(?)" would be planned, whenever they say "few", as a
-- scan of every row of the object type with the ids as a filter. The rows are locked (in key order,
-- after the run and the stream) so that what is decided from them still holds at the upsert.
SELECT r.external_id, r.content_hash, r.properties::text, r.associations::text, r.archived, r.source_updated_at,
       r.associations_read_at
FROM (SELECT DISTINCT unnest(?::text[]) AS external_id ORDER BY 1) u
CROSS JOIN LATERAL (
  SELECT * FROM ${schema}.record t
  WHERE t.connection = ? AND t.object_type = ? AND t.external_id = u.external_id
  LIMIT 1
  FOR UPDATE
) r
ORDER BY r.external_id
