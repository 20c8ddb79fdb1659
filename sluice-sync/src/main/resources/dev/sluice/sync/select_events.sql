SELECT seq, run_id, stream, type, payload::text, at FROM ${schema}.sync_event
WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?
