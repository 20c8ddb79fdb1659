INSERT INTO ${schema}.identity_entity (match_key, created_at)
SELECT k, :now FROM unnest(CAST(:keys AS text[])) AS k
ON CONFLICT (match_key) DO NOTHING
