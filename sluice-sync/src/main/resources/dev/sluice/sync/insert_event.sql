INSERT INTO ${schema}.sync_event (run_id, stream, type, payload, at) VALUES (?, ?, ?, ?::jsonb, ?)
RETURNING seq
