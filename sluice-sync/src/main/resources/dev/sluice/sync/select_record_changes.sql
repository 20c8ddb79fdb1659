-- One page of a record's history, oldest first, after a cursor; record_change_record_idx serves both
-- the filter and the order. A page commit writes at most one change per record (its own stream's, or
-- one inverse-association change on the other side), and a change outside any run (a webhook
-- refresh, run id 0, no sync_run row) takes its own number from the same sequence, so event_seq is
-- an exact cursor.
SELECT c.run_id, c.event_seq, c.page, c.kind, c.changed_properties, r.mode, c.at, c.inbound_event_id
FROM ${schema}.record_change c LEFT JOIN ${schema}.sync_run r ON r.id = c.run_id
WHERE c.connection = ? AND c.object_type = ? AND c.external_id = ? AND c.event_seq > ?
ORDER BY c.event_seq
LIMIT ?
