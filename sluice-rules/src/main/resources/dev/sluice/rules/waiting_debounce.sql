SELECT job_id, first_at, run_at
FROM ${schema}.rule_debounce
WHERE scope = :scope AND debounce_key = :debounce_key AND fired_at IS NULL
FOR UPDATE
