INSERT INTO ${schema}.record_change (connection, object_type, external_id, run_id, event_seq, page, kind,
                                     changed_properties, at)
SELECT ?, ?, u.external_id, ?, ?, ?, u.kind,
       ARRAY(SELECT jsonb_array_elements_text(u.changed::jsonb)), ?
FROM unnest(?::text[], ?::text[], ?::text[]) AS u(external_id, kind, changed)
