-- Takes a rule's dedupe key for this decision unless an unexpired one holds it; a row back = taken now.
INSERT INTO ${schema}.rule_dedupe AS d (rule, dedupe_key, decision_id, taken_at, expires_at)
VALUES (:rule, :dedupe_key, :decision_id, :now, :expires_at)
ON CONFLICT (rule, dedupe_key) DO UPDATE
SET decision_id = EXCLUDED.decision_id, jobs = '[]', taken_at = EXCLUDED.taken_at, expires_at = EXCLUDED.expires_at
WHERE d.expires_at <= EXCLUDED.taken_at
RETURNING decision_id
