-- Expired dedupe keys (a later decision would take them again anyway).
DELETE FROM ${schema}.rule_dedupe
WHERE (rule, dedupe_key) IN (
  SELECT rule, dedupe_key FROM ${schema}.rule_dedupe WHERE expires_at < :cutoff LIMIT :limit)
