-- Debounce rows whose job fired long ago (kept a while for the job's retries).
DELETE FROM ${schema}.rule_debounce
WHERE job_id IN (SELECT job_id FROM ${schema}.rule_debounce WHERE fired_at < :cutoff LIMIT :limit)
