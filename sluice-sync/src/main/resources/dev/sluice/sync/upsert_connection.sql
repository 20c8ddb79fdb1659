INSERT INTO ${schema}.sync_connection (name, platform, first_seen_at) VALUES (?, ?, ?)
ON CONFLICT (name) DO UPDATE SET platform = EXCLUDED.platform
WHERE sync_connection.platform IS DISTINCT FROM EXCLUDED.platform
