UPDATE ${schema}.rule_debounce
SET run_at = :run_at, payload = CAST(:payload AS jsonb), evaluations = evaluations + 1
WHERE job_id = :job_id AND fired_at IS NULL
