SELECT id, event_id, trigger, subject, rule, rule_file, evaluated_at, matched, outcome, decided_by, dedupe_key,
       inputs::text AS inputs, jobs::text AS jobs, error
FROM ${schema}.rule_decision
WHERE event_id = :event_id
ORDER BY id
