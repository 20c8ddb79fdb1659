SELECT c.run_id, c.event_seq, c.page, c.kind, c.changed_properties, r.mode, c.at
FROM ${schema}.record_change c JOIN ${schema}.sync_run r ON r.id = c.run_id
WHERE c.connection = ? AND c.object_type = ? AND c.external_id = ?
ORDER BY c.event_seq
