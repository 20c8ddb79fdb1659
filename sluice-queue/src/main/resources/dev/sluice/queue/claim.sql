-- Claim a batch of runnable jobs of uncapped kinds in one statement, under one new lease.
-- Fair across kinds: each kind in :kinds gets at most :per_kind rows (the share rounded up), and the
-- batch at most :limit rows in all (the worker reserved exactly that many slots), read from the claim index
-- (kind, priority, run_at, id) in order, so kinds the worker does not handle or that are paused
-- are never read, and one kind's backlog cannot hide another's. The locking selects sit in
-- LATERAL subqueries so each LIMIT holds; SKIP LOCKED lets concurrent claimers take disjoint rows.
-- :kinds comes from the worker's cached view of job_kind (handled, not paused, shadowed or capped);
-- the statement re-checks each kind's live job_kind row once (not once per row), so a pause or cap
-- set since the cache was read is still respected: such a kind is not read at all.
-- The lease row (one per batch, made only when a job was locked for the claim) is the fence of every
-- later write: outcomes, heartbeats and progress must name it. It lists the batch's job ids and kinds
-- (job_ids, kinds): heartbeats, the rescuer and cap counts find running jobs through it, by primary
-- key, so no index has to hold an entry per running job (V70).
-- The UPDATE finds the locked rows by primary key (id = ANY(ARRAY(SELECT id FROM next))) rather than
-- by joining "next": with a join the planner hashes the whole hot table once a batch is large
-- (a sequential scan of every waiting row per claim), and the join makes every updated row carry
-- whole-row copies of the joined rows. async_commit is referenced the same way, as a one-time filter.
-- The UPDATE is the statement itself, not a CTE, so its rows go straight to the client instead of
-- through a tuplestore; they come back in id order and the worker sorts them into claim order.
-- async_commit makes this statement's commit return without waiting for the WAL flush; a server
-- crash can lose only the last few hundred ms of such commits: a lost claim leaves the job ready
-- (it runs again), a lost completion leaves it running under its lease until the rescuer re-queues
-- it, a lost heartbeat only makes the lease look older. Enqueues never do this.
WITH async_commit AS MATERIALIZED (
  SELECT set_config('synchronous_commit', 'off', true) IS NOT NULL AS done
), next AS (
  SELECT n.id, k.kind
  FROM unnest(:kinds::text[]) AS k(kind),
       LATERAL (
         SELECT j.id
         FROM ${schema}.job j
         WHERE j.kind = k.kind AND j.state IN ('ready', 'retryable') AND j.run_at <= :now
         ORDER BY j.priority, j.run_at, j.id
         LIMIT :per_kind
         FOR UPDATE OF j SKIP LOCKED
       ) n
  WHERE coalesce((SELECT p.paused OR p.shadow OR p.max_running IS NOT NULL OR p.max_running_per_key IS NOT NULL
                  FROM ${schema}.job_kind p WHERE p.kind = k.kind), false) = false
  LIMIT :limit
), leased AS (
  INSERT INTO ${schema}.job_lease (lease, worker_id, claimed_at, heartbeat_at, heartbeat_interval_ms, job_ids, kinds)
  SELECT :lease, :worker, :now, :now, :heartbeat_interval_ms::bigint,
         ARRAY(SELECT id FROM next), ARRAY(SELECT DISTINCT kind FROM next)
  WHERE EXISTS (SELECT 1 FROM next)
)
UPDATE ${schema}.job j
SET state = 'running', attempt = j.attempt + 1, lease = :lease, started_at = :now
WHERE j.id = ANY(ARRAY(SELECT id FROM next)) AND j.state IN ('ready', 'retryable') AND (SELECT done FROM async_commit)
RETURNING j.id, j.kind, j.payload::text AS payload, j.priority, j.run_at, j.attempt, j.max_attempts,
          j.concurrency_key, j.timeout_ms, j.created_at
