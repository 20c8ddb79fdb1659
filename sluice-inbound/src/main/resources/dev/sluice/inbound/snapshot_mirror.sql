-- In the refresh's transaction, before the mirror rows are overwritten: each record's properties as
-- they were, for the events the refresh covers (the latest event id per record).
INSERT INTO ${schema}.inbound_mirror_before (connection, object_type, object_id, up_to_event_id, properties, taken_at)
SELECT :connection, :object_type, u.id, u.event_id, r.properties, :now
FROM unnest(:object_ids::text[], :event_ids::bigint[]) AS u(id, event_id)
LEFT JOIN ${schema}.record r
  ON r.connection = :connection AND r.object_type = :object_type AND r.external_id = u.id
ON CONFLICT DO NOTHING
