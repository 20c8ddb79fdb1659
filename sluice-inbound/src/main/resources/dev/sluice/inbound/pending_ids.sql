-- The ids waiting for a refresh of one connection and object type, oldest first.
SELECT object_id, event_id
FROM ${schema}.inbound_mirror_pending
WHERE connection = :connection AND object_type = :object_type
ORDER BY noted_at, object_id
LIMIT :limit
