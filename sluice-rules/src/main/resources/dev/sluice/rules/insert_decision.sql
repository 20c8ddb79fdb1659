INSERT INTO ${schema}.rule_decision
  (id, event_id, trigger, subject, rule, rule_file, evaluated_at, matched, outcome, decided_by, dedupe_key, inputs, jobs, error)
VALUES (:id, :event_id, :trigger, :subject, :rule, :rule_file, :evaluated_at, :matched, :outcome, :decided_by, :dedupe_key,
        CAST(:inputs AS jsonb), CAST(:jobs AS jsonb), :error)
