-- Retention of completed and shadowed jobs that landed in the default partition (days without a
-- partition of their own), a batch at a time (a row is a completion batch, V71); the outer DELETE repeats the condition.
DELETE FROM ${schema}.job_finished_batch_default
WHERE ctid = ANY(ARRAY(
    SELECT ctid FROM ${schema}.job_finished_batch_default WHERE finished_at < :finished_before LIMIT :limit))
  AND finished_at < :finished_before
