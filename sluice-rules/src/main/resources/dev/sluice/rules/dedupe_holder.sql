SELECT decision_id, taken_at, expires_at, jobs::text AS jobs
FROM ${schema}.rule_dedupe
WHERE rule = :rule AND dedupe_key = :dedupe_key
