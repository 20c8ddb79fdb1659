-- Claim a batch of runnable jobs of uncapped kinds in one statement. The locking select sits in
-- a CTE so the LIMIT holds; SKIP LOCKED lets concurrent claimers take disjoint rows. It reads the
-- claim index in order and stops after :limit rows, however deep the backlog.
-- :kinds comes from the worker's cached view of job_kind (handled, not paused, shadowed or capped);
-- the UPDATE re-checks the live job_kind row of each claimed job, so a pause or cap set since the
-- cache was read is still respected (such rows are left unclaimed).
-- That check is a correlated scalar subquery on purpose: written as NOT EXISTS it becomes an
-- anti-join whose estimate (1 row) makes the planner sort the whole backlog instead of reading
-- the claim index in order, and turns the claim quadratic.
WITH next AS (
  SELECT j.id
  FROM ${schema}.job j
  WHERE j.state IN ('ready', 'retryable')
    AND j.run_at <= :now
    AND j.kind = ANY(:kinds::text[])
  ORDER BY j.priority, j.run_at, j.id
  LIMIT :limit
  FOR UPDATE OF j SKIP LOCKED
)
UPDATE ${schema}.job j
SET state = 'running', attempt = j.attempt + 1, worker_id = :worker, started_at = :now, heartbeat_at = :now
FROM next
WHERE j.id = next.id AND j.state IN ('ready', 'retryable')
  AND coalesce((SELECT k.paused OR k.shadow OR k.max_running IS NOT NULL OR k.max_running_per_key IS NOT NULL
                 FROM ${schema}.job_kind k WHERE k.kind = j.kind), false) = false
RETURNING j.id, j.kind, j.payload::text, j.priority, j.run_at, j.attempt, j.max_attempts,
          j.dedupe_key, j.concurrency_key, j.timeout_ms, j.created_at
