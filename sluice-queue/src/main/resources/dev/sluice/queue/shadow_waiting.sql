-- When a kind enters shadow mode, its waiting jobs are recorded as shadowed: ready | retryable -> shadowed.
UPDATE ${schema}.job
SET state = 'shadowed', finished_at = :now
WHERE kind = :kind AND state IN ('ready', 'retryable')
