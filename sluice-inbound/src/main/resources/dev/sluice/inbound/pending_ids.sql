-- The oldest notes of one connection and object type (a record noted by several storing
-- transactions has a note from each).
SELECT object_id, event_id
FROM ${schema}.inbound_mirror_pending
WHERE connection = :connection AND object_type = :object_type
ORDER BY event_id
LIMIT :limit
