-- The newest decisions of one rule.
SELECT id, event_id, trigger, subject, rule, rule_file, evaluated_at, matched, outcome, decided_by, dedupe_key,
       inputs::text AS inputs, jobs::text AS jobs, error
FROM ${schema}.rule_decision
WHERE rule = :rule
ORDER BY rule, evaluated_at DESC, id DESC
LIMIT :limit
