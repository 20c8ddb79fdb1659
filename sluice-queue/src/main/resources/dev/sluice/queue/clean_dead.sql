-- Retention of dead and cancelled jobs, a batch at a time. The outer DELETE repeats the state and
-- age condition: a row the inner SELECT saw as eligible but that changed before the DELETE locked
-- it (cancelled or retried meanwhile) is re-checked on its new version and kept.
DELETE FROM ${schema}.job_dead
WHERE id IN (
    SELECT id FROM ${schema}.job_dead
    WHERE (state = 'cancelled' AND finished_at < :cancelled_before) OR (state = 'dead' AND finished_at < :dead_before)
    LIMIT :limit
  )
  AND ((state = 'cancelled' AND finished_at < :cancelled_before) OR (state = 'dead' AND finished_at < :dead_before))
