INSERT INTO ${schema}.job_kind (kind, paused, updated_at) VALUES (:kind, :paused, :now)
ON CONFLICT (kind) DO UPDATE SET paused = excluded.paused, updated_at = excluded.updated_at
