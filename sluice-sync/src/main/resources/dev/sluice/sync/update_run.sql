UPDATE ${schema}.sync_run
SET status = ?, current_object = ?, phase = ?, last_error = ?, started_at = ?, finished_at = ?, last_event_seq = ?
WHERE id = ?
