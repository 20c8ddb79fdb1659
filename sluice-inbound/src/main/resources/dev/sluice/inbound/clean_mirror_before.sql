-- Snapshots live as long as the events they serve.
DELETE FROM ${schema}.inbound_mirror_before
WHERE (connection, object_type, object_id, up_to_event_id) IN (
  SELECT connection, object_type, object_id, up_to_event_id FROM ${schema}.inbound_mirror_before
  WHERE taken_at < :cutoff LIMIT :limit)
