-- Changes written outside any run (run id 0): each names its inbound event; event_seq comes from the
-- sync event sequence, so the record's history keeps one order and one cursor.
INSERT INTO ${schema}.record_change (connection, object_type, external_id, run_id, event_seq, page, kind,
                                     changed_properties, at, inbound_event_id)
SELECT ?, ?, u.external_id, 0, nextval(pg_get_serial_sequence('${schema}.sync_event', 'seq')), 0, u.kind,
       ARRAY(SELECT jsonb_array_elements_text(u.changed::jsonb)), ?, u.event_id
FROM unnest(?::text[], ?::text[], ?::text[], ?::bigint[]) AS u(external_id, kind, changed, event_id)
