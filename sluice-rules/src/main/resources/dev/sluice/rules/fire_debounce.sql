-- The debounced job's turn: fired when its key has been quiet long enough (answers the latest payload).
UPDATE ${schema}.rule_debounce SET fired_at = :now
WHERE job_id = :job_id AND fired_at IS NULL AND run_at <= :now
RETURNING payload::text AS payload
