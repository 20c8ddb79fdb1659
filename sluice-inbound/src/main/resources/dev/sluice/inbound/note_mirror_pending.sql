-- Notes ids the mirror must refresh: one row per record per storing transaction, with the latest
-- event that named it (the caller sends each (connection, object_type, object_id) once).
INSERT INTO ${schema}.inbound_mirror_pending (connection, object_type, object_id, event_id, noted_at)
SELECT u.connection, u.object_type, u.object_id, u.event_id, :now
FROM unnest(:connections::text[], :object_types::text[], :object_ids::text[], :event_ids::bigint[])
       AS u(connection, object_type, object_id, event_id)
