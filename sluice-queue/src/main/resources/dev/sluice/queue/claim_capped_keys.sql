-- Claim jobs of one kind with a per-key cap while lock_kind.sql holds its row lock: never more
-- than :max_running running in total, nor more than :max_per_key per concurrency key.
-- Fair across keys: the distinct keys with waiting jobs are found by skipping through the key
-- index (one probe per key, at most :key_window keys) starting after :after_key; the answer's
-- next_after_key is where the next claim starts (null: from the first key again), so every key
-- gets its turn, however many there are;
-- each key with room offers its oldest jobs up to its room, and the batch takes the first job of
-- every key before the second of any. Jobs without a key compete with the keys' first jobs.
-- The running jobs are counted through the leases that list the kind (job_lease.kinds), each lease's
-- jobs read by primary key (no index holds running jobs, V70); the UPDATE finds the chosen rows by
-- primary key, not by a join (see claim.sql).
-- async_commit: the commit does not wait for the WAL flush; see claim.sql for why that is safe.
WITH RECURSIVE async_commit AS MATERIALIZED (
  SELECT set_config('synchronous_commit', 'off', true) IS NOT NULL AS done
), running_jobs AS (
  SELECT j.concurrency_key
  FROM ${schema}.job_lease l
  JOIN ${schema}.job j ON j.id = ANY(l.job_ids) AND j.lease = l.lease
  WHERE :kind = ANY(l.kinds) AND j.state = 'running' AND j.kind = :kind
), running AS (
  SELECT count(*) AS n FROM running_jobs
), running_per_key AS (
  SELECT concurrency_key, count(*) AS n
  FROM running_jobs
  WHERE concurrency_key IS NOT NULL
  GROUP BY concurrency_key
), keys(k, n) AS (
  (SELECT j.concurrency_key, 1
   FROM ${schema}.job j
   WHERE j.kind = :kind AND j.state IN ('ready', 'retryable') AND j.concurrency_key IS NOT NULL
     AND (:after_key::text IS NULL OR j.concurrency_key > :after_key::text)
   ORDER BY j.concurrency_key
   LIMIT 1)
  UNION ALL
  SELECT (SELECT j.concurrency_key
          FROM ${schema}.job j
          WHERE j.kind = :kind AND j.state IN ('ready', 'retryable') AND j.concurrency_key IS NOT NULL
            AND j.concurrency_key > keys.k
          ORDER BY j.concurrency_key
          LIMIT 1), keys.n + 1
  FROM keys
  WHERE keys.k IS NOT NULL AND keys.n < :key_window
), room AS (
  SELECT keys.k, :max_per_key - coalesce(r.n, 0) AS n
  FROM keys LEFT JOIN running_per_key r ON r.concurrency_key = keys.k
  WHERE keys.k IS NOT NULL AND :max_per_key - coalesce(r.n, 0) > 0
), candidates AS (
  SELECT c.id, c.priority, c.run_at, c.slot
  FROM room,
       LATERAL (
         SELECT j.id, j.priority, j.run_at, row_number() OVER (ORDER BY j.priority, j.run_at, j.id) AS slot
         FROM (SELECT j.id, j.priority, j.run_at
               FROM ${schema}.job j
               WHERE j.kind = :kind AND j.concurrency_key = room.k AND j.state IN ('ready', 'retryable')
                 AND j.run_at <= :now
               ORDER BY j.priority, j.run_at, j.id
               LIMIT least(room.n, :limit)
               FOR UPDATE OF j SKIP LOCKED) j
       ) c
  UNION ALL
  SELECT u.id, u.priority, u.run_at, row_number() OVER (ORDER BY u.priority, u.run_at, u.id)
  FROM (SELECT j.id, j.priority, j.run_at
        FROM ${schema}.job j
        WHERE j.kind = :kind AND j.state IN ('ready', 'retryable') AND j.concurrency_key IS NULL AND j.run_at <= :now
        ORDER BY j.priority, j.run_at, j.id
        LIMIT :limit
        FOR UPDATE OF j SKIP LOCKED) u
), chosen AS (
  SELECT id FROM candidates
  ORDER BY slot, priority, run_at, id
  LIMIT greatest(0, least(:limit, :max_running - (SELECT n FROM running)))
), claimed AS (
  UPDATE ${schema}.job j
  SET state = 'running', attempt = j.attempt + 1, lease = :lease, started_at = :now
  WHERE j.id = ANY(ARRAY(SELECT id FROM chosen)) AND j.state IN ('ready', 'retryable') AND (SELECT done FROM async_commit)
  RETURNING j.id, j.kind, j.payload::text AS payload, j.priority, j.run_at, j.attempt, j.max_attempts,
            j.concurrency_key, j.timeout_ms, j.created_at
), leased AS (
  INSERT INTO ${schema}.job_lease (lease, worker_id, claimed_at, heartbeat_at, heartbeat_interval_ms, job_ids, kinds)
  SELECT :lease, :worker, :now, :now, :heartbeat_interval_ms::bigint, ARRAY(SELECT id FROM claimed), ARRAY[:kind::text]
  WHERE EXISTS (SELECT 1 FROM claimed)
)
SELECT id, kind, payload, priority, run_at, attempt, max_attempts, concurrency_key, timeout_ms, created_at,
       (SELECT CASE WHEN count(k) >= :key_window THEN max(k) END FROM keys) AS next_after_key
FROM claimed
