-- Drops the refreshed ids; an id noted again meanwhile (by a later event) stays for the next job.
DELETE FROM ${schema}.inbound_mirror_pending p
USING unnest(:object_ids::text[], :event_ids::bigint[]) AS u(object_id, event_id)
WHERE p.connection = :connection AND p.object_type = :object_type
  AND p.object_id = u.object_id AND p.event_id <= u.event_id
