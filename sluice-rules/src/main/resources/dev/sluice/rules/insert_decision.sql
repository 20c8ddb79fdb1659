INSERT INTO ${schema}.rule_decision
  (event_id, rule, rule_file, evaluated_at, matched, outcome, decided_by, dedupe_key, inputs, jobs, error)
VALUES (:event_id, :rule, :rule_file, :evaluated_at, :matched, :outcome, :decided_by, :dedupe_key,
        CAST(:inputs AS jsonb), CAST(:jobs AS jsonb), :error)
RETURNING id
