-- The record's new matching state; changed_at and decision_id move only when the state changes.
INSERT INTO ${schema}.rule_enrollment AS e (rule, subject, matching, changed_at, decision_id)
VALUES (:rule, :subject, :matching, :now, :decision_id)
ON CONFLICT (rule, subject) DO UPDATE
SET matching = EXCLUDED.matching, changed_at = EXCLUDED.changed_at, decision_id = EXCLUDED.decision_id
WHERE e.matching IS DISTINCT FROM EXCLUDED.matching
