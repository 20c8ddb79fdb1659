UPDATE ${schema}.rule_dedupe SET jobs = CAST(:jobs AS jsonb)
WHERE rule = :rule AND dedupe_key = :dedupe_key AND decision_id = :decision_id
