-- Identity from the mirror: every live destination record the mirror holds is linked to the entity of
-- its match field's normalized value (trimmed, lower case), so a person who already exists in the
-- destination is matched, not created again, and two destination records with one key show up as a
-- duplicate. Only records not yet linked to that entity are touched; the new entities are not visible
-- to the final INSERT's scan of identity_entity (same snapshot), hence the two joins.
WITH keyed AS (
  SELECT r.external_id, lower(btrim(r.properties ->> :field)) AS match_key
  FROM ${schema}.record r
  WHERE r.connection = :connection AND r.object_type = :object_type AND NOT r.archived
    AND COALESCE(btrim(r.properties ->> :field), '') <> ''
    AND NOT EXISTS (
      SELECT 1 FROM ${schema}.identity_link l
      JOIN ${schema}.identity_entity e ON e.id = l.entity_id
      WHERE l.connection = r.connection AND l.object_type = r.object_type AND l.external_id = r.external_id
        AND e.match_key = lower(btrim(r.properties ->> :field)))
), created AS (
  INSERT INTO ${schema}.identity_entity (match_key, created_at)
  SELECT DISTINCT match_key, CAST(:now AS timestamptz) FROM keyed
  ON CONFLICT (match_key) DO NOTHING
  RETURNING id, match_key
)
INSERT INTO ${schema}.identity_link (entity_id, connection, object_type, external_id, linked_at)
SELECT COALESCE(c.id, e.id), :connection, :object_type, k.external_id, CAST(:now AS timestamptz)
FROM keyed k
LEFT JOIN created c ON c.match_key = k.match_key
LEFT JOIN ${schema}.identity_entity e ON e.match_key = k.match_key
ON CONFLICT (connection, object_type, external_id)
DO UPDATE SET entity_id = EXCLUDED.entity_id, linked_at = EXCLUDED.linked_at
WHERE identity_link.entity_id <> EXCLUDED.entity_id
