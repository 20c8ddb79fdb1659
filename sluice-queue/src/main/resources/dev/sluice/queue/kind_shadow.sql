INSERT INTO ${schema}.job_kind (kind, shadow, updated_at) VALUES (:kind, :shadow, :now)
ON CONFLICT (kind) DO UPDATE SET shadow = excluded.shadow, updated_at = excluded.updated_at
