-- incrementalSince: when the last completed read of this connection's object type started.
SELECT max(s.started_at)
FROM ${schema}.sync_stream s JOIN ${schema}.sync_run r ON r.id = s.run_id
WHERE s.status = 'completed' AND s.object_type = ? AND r.connection = ?
