-- Serializes the claims of one capped kind across all processes for the rest of the transaction,
-- so that the running count read by the next statement cannot go stale before it commits.
-- Only when a job of the kind is runnable: a claim round tries every capped kind first, and locking
-- the row writes it (a transaction id, WAL) even when there is nothing to claim. No row answered
-- means nothing to claim now (or the kind is unknown); a job that becomes runnable after this read
-- is claimed in a later round, as one enqueued after a claim always is.
SELECT k.paused, k.shadow, k.max_running, k.max_running_per_key
FROM ${schema}.job_kind k
WHERE k.kind = :kind
  AND EXISTS (
    SELECT 1 FROM ${schema}.job j
    WHERE j.kind = :kind AND j.state IN ('ready', 'retryable') AND j.run_at <= :now)
FOR UPDATE OF k
