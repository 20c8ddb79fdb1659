-- For the batch's match keys: the records linked to each entity on either side of the pipeline, with
-- their mirror row (when the mirror holds that system) and what Sluice last wrote to them.
-- Driven by the keys, whatever the statistics say: each key's entity is one unique-key lookup and its
-- links one lookup of identity_link_entity_idx (an entity has a link per system), each mirror row and
-- written row one primary-key lookup (the OFFSET 0 subqueries are run per row, not flattened into
-- joins). The sides are filtered after the links are read: inside the subquery, the filter on
-- (connection, object type) let the planner read every link of both sides (a BitmapOr on the primary
-- key) whenever the statistics undercounted them, and a join on the keys let it hash every entity or
-- link — a cost per batch that grew with the push (docs/benchmarks.md).
SELECT k.match_key, l.connection, l.object_type, l.external_id,
       r.properties::text AS properties, r.source_updated_at, r.archived, w.properties::text AS written
FROM unnest(CAST(:keys AS text[])) AS k (match_key)
CROSS JOIN LATERAL (
  SELECT l.connection, l.object_type, l.external_id, l.linked_at
  FROM ${schema}.identity_entity e
  JOIN ${schema}.identity_link l ON l.entity_id = e.id
  WHERE e.match_key = k.match_key
  OFFSET 0) l
LEFT JOIN LATERAL (
  SELECT r.properties, r.source_updated_at, r.archived
  FROM ${schema}.record r
  WHERE r.connection = l.connection AND r.object_type = l.object_type AND r.external_id = l.external_id
  OFFSET 0) r ON true
LEFT JOIN LATERAL (
  SELECT w.properties
  FROM ${schema}.pipeline_written w
  WHERE w.connection = l.connection AND w.object_type = l.object_type AND w.external_id = l.external_id
  OFFSET 0) w ON true
WHERE (l.connection = :source_connection AND l.object_type = :source_object)
   OR (l.connection = :destination_connection AND l.object_type = :destination_object)
ORDER BY k.match_key, l.linked_at, l.external_id
