-- Records ids the mirror must refresh; an id already waiting keeps one row (the latest event wins).
-- The caller sends each (connection, object_type, object_id) once per statement.
INSERT INTO ${schema}.inbound_mirror_pending AS p (connection, object_type, object_id, event_id, noted_at)
SELECT u.connection, u.object_type, u.object_id, u.event_id, :now
FROM unnest(:connections::text[], :object_types::text[], :object_ids::text[], :event_ids::bigint[])
       AS u(connection, object_type, object_id, event_id)
ORDER BY 1, 2, 3
ON CONFLICT (connection, object_type, object_id) DO UPDATE
SET event_id = greatest(p.event_id, EXCLUDED.event_id), noted_at = EXCLUDED.noted_at
