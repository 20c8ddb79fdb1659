-- The stored rows of one page's ids, one unique-key lookup per id: the LIMIT keeps the subquery
-- from being flattened into a join, so each id is an equality on all three key columns. Planned at
-- every execution (SqlStatements.prepareReplanned), so a plan made while the table was empty (a
-- scan costs nothing then) is never reused on a big mirror. The natural "external_id = ANY(?)" is
-- planned without statistics as a scan of every row of the object type, the ids as a filter, which
-- made each page cost time in proportion to the mirror.
SELECT r.external_id, r.content_hash, r.properties::text, r.associations::text, r.archived, r.source_updated_at
FROM unnest(?::text[]) AS u(external_id)
CROSS JOIN LATERAL (
  SELECT * FROM ${schema}.record t
  WHERE t.connection = ? AND t.object_type = ? AND t.external_id = u.external_id
  LIMIT 1
) r
