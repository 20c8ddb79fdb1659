-- Claim a batch of runnable jobs of uncapped kinds in one statement. The locking select sits in
-- a CTE so the LIMIT holds; SKIP LOCKED lets concurrent claimers take disjoint rows. It reads the
-- claim index in order and stops after :limit rows, however deep the backlog.
-- :kinds comes from the worker's cached view of job_kind (handled, not paused, shadowed or capped);
-- the UPDATE re-checks the live job_kind row of each claimed job, so a pause or cap set since the
-- cache was read is still respected (such rows are left unclaimed).
-- That check is a correlated scalar subquery on purpose: written as NOT EXISTS it becomes an
-- anti-join whose estimate (1 row) makes the planner sort the whole backlog instead of reading
-- the claim index in order, and turns the claim quadratic.
-- async_commit makes this statement's commit return without waiting for the WAL flush (an fsync,
-- several ms on a real disk, which otherwise serialises the claim loop and adds a flush to every
-- pickup). set_config(..., true) lasts to the end of this statement's own transaction, and the
-- commit reads it before it is reset; MATERIALIZED (and the volatile function) makes it run once.
-- Safe for at-least-once: a server crash can lose only the last few hundred ms of such commits. A
-- lost claim leaves the job ready (it runs again); a lost completion (complete_*.sql) leaves it
-- running under the old worker id until the rescuer re-queues it; a lost heartbeat only makes the
-- job look older. Enqueues never do this: an acknowledged job stays durable.
WITH async_commit AS MATERIALIZED (
  SELECT set_config('synchronous_commit', 'off', true)
), next AS (
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
FROM next, async_commit
WHERE j.id = next.id AND j.state IN ('ready', 'retryable')
  AND coalesce((SELECT k.paused OR k.shadow OR k.max_running IS NOT NULL OR k.max_running_per_key IS NOT NULL
                 FROM ${schema}.job_kind k WHERE k.kind = j.kind), false) = false
RETURNING j.id, j.kind, j.payload::text, j.priority, j.run_at, j.attempt, j.max_attempts,
          j.dedupe_key, j.concurrency_key, j.timeout_ms, j.created_at
