INSERT INTO ${schema}.sync_stream (run_id, object_type, ordinal, status, estimated_total, incremental_since)
VALUES (?, ?, ?, 'pending', ?, ?)
