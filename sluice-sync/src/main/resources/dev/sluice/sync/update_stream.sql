UPDATE ${schema}.sync_stream
SET status = ?, generation = ?, checkpoint = ?, pages_committed = ?, fetched = ?, created = ?, updated = ?,
    unchanged = ?, archived = ?, failed = ?, requests = ?, position = ?, started_at = ?, finished_at = ?,
    last_error = ?
WHERE run_id = ? AND object_type = ?
