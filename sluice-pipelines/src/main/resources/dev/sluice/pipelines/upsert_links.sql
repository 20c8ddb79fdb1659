-- Links records to the entities of their keys; a record whose key changed moves to its new entity.
-- Each key's entity is one unique-key lookup (a scalar subquery, whatever the statistics say): a
-- join was planned as a hash of every entity, read again by each batch of a push that grows them.
-- The batch's keys have their entities already (upsert_entities, same transaction).
INSERT INTO ${schema}.identity_link (entity_id, connection, object_type, external_id, linked_at)
SELECT DISTINCT ON (x.connection, x.object_type, x.external_id)
       (SELECT e.id FROM ${schema}.identity_entity e WHERE e.match_key = x.match_key), x.connection, x.object_type,
       x.external_id, :now
FROM unnest(CAST(:keys AS text[]), CAST(:connections AS text[]), CAST(:object_types AS text[]), CAST(:external_ids AS text[]))
       AS x (match_key, connection, object_type, external_id)
ORDER BY x.connection, x.object_type, x.external_id
ON CONFLICT (connection, object_type, external_id)
DO UPDATE SET entity_id = EXCLUDED.entity_id, linked_at = EXCLUDED.linked_at
WHERE identity_link.entity_id <> EXCLUDED.entity_id
