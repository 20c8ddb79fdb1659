SELECT run_at, fired_at, payload::text AS payload FROM ${schema}.rule_debounce WHERE job_id = :job_id
