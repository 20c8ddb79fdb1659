-- The most recently changed live mirror records of one connection and object type: a sample to try a
-- mapping on.
SELECT r.external_id, r.properties::text AS properties
FROM ${schema}.record r
WHERE r.connection = :connection AND r.object_type = :object_type AND NOT r.archived
ORDER BY r.source_updated_at DESC NULLS LAST, r.external_id
LIMIT :limit
