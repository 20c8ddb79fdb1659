INSERT INTO ${schema}.rule_debounce (job_id, scope, debounce_key, first_at, run_at, payload)
VALUES (:job_id, :scope, :debounce_key, :now, :run_at, CAST(:payload AS jsonb))
