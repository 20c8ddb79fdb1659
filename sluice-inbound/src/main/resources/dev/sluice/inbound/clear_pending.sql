-- Drops exactly the notes a refresh read; a note written meanwhile (by a later or a slower storing
-- transaction) stays for the next job.
DELETE FROM ${schema}.inbound_mirror_pending p
USING unnest(:object_ids::text[], :event_ids::bigint[]) AS u(object_id, event_id)
WHERE p.connection = :connection AND p.object_type = :object_type
  AND p.event_id = u.event_id AND p.object_id = u.object_id
