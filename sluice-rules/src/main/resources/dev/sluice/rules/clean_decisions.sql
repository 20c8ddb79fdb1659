-- Decisions older than the retention.
DELETE FROM ${schema}.rule_decision
WHERE id IN (SELECT id FROM ${schema}.rule_decision WHERE evaluated_at < :cutoff LIMIT :limit)
