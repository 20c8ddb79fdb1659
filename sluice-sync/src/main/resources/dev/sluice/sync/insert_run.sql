-- Coalescing: the partial unique index on active runs turns a second trigger into "no row returned".
INSERT INTO ${schema}.sync_run (connection, objects, objects_key, mode, status, phase, created_at)
VALUES (?, ?, ?, ?, 'pending', 'queued', ?)
ON CONFLICT (connection, objects_key) WHERE status IN ('pending', 'processing', 'retrying') DO NOTHING
RETURNING id
