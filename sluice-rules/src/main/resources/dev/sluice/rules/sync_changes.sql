-- Mirror changes after the cursor (sync runs and webhook refreshes), old enough that every change
-- with a smaller sequence number has committed, with the record as the mirror holds it now.
SELECT rc.event_seq, rc.connection, rc.object_type, rc.external_id, rc.run_id, rc.kind,
       array_to_json(rc.changed_properties)::text AS changed, rc.at, rc.inbound_event_id,
       r.properties::text AS properties
FROM ${schema}.record_change rc
LEFT JOIN ${schema}.record r
  ON r.connection = rc.connection AND r.object_type = rc.object_type AND r.external_id = rc.external_id
WHERE rc.event_seq > :after AND rc.at <= :settled
ORDER BY rc.event_seq
LIMIT :limit
