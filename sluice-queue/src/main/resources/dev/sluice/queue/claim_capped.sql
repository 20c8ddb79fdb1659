-- Claim jobs of one capped kind without a per-key cap while lock_kind.sql holds its row lock:
-- never more than :max_running running in total. One new lease for the batch (see claim.sql).
-- The kind's running jobs are counted through the leases that list the kind (job_lease.kinds), each
-- lease's jobs read by primary key (no index holds running jobs, V70).
-- async_commit: the commit does not wait for the WAL flush; see claim.sql for why that is safe.
WITH async_commit AS MATERIALIZED (
  SELECT set_config('synchronous_commit', 'off', true)
), running AS (
  SELECT count(*) AS n
  FROM ${schema}.job_lease l
  JOIN ${schema}.job j ON j.id = ANY(l.job_ids) AND j.lease = l.lease
  WHERE :kind = ANY(l.kinds) AND j.state = 'running' AND j.kind = :kind
), next AS (
  SELECT j.id
  FROM ${schema}.job j
  WHERE j.kind = :kind AND j.state IN ('ready', 'retryable') AND j.run_at <= :now
  ORDER BY j.priority, j.run_at, j.id
  LIMIT greatest(0, least(:limit, :max_running - (SELECT n FROM running)))
  FOR UPDATE OF j SKIP LOCKED
), claimed AS (
  UPDATE ${schema}.job j
  SET state = 'running', attempt = j.attempt + 1, lease = :lease, started_at = :now
  FROM next, async_commit
  WHERE j.id = next.id AND j.state IN ('ready', 'retryable')
  RETURNING j.id, j.kind, j.payload::text AS payload, j.priority, j.run_at, j.attempt, j.max_attempts,
            j.concurrency_key, j.timeout_ms, j.created_at
), leased AS (
  INSERT INTO ${schema}.job_lease (lease, worker_id, claimed_at, heartbeat_at, heartbeat_interval_ms, job_ids, kinds)
  SELECT :lease, :worker, :now, :now, :heartbeat_interval_ms::bigint, ARRAY(SELECT id FROM claimed), ARRAY[:kind::text]
  WHERE EXISTS (SELECT 1 FROM claimed)
)
SELECT id, kind, payload, priority, run_at, attempt, max_attempts, concurrency_key, timeout_ms, created_at
FROM claimed
