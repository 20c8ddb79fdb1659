-- One job without a dedupe key. Two statements sent in one round trip and one transaction: the
-- first takes the kind's shared lock, which setShadow takes exclusively, so an enqueue never
-- races a switch to shadow mode (the second statement's snapshot is taken after the lock: it sees
-- the switch, or the switch waits for this job and shadows it).
-- A kind in shadow mode records the job in job_finished as 'shadowed' (its handler never runs).
-- NOTIFY is delivered at commit, so a worker never wakes for a job it cannot see yet.
-- :notice is the kind, or a woken notice (see PostgresJobStore.wokenNotice) when the enqueuing
-- JobQueue wakes its own workers in-process after the commit and its listeners need not claim again.
SELECT pg_advisory_xact_lock_shared(hashtext(:lock_space), hashtext(:kind));
WITH kind_policy AS (
  SELECT shadow, retry_max_attempts FROM ${schema}.job_kind WHERE kind = :kind
), inserted AS (
  INSERT INTO ${schema}.job (kind, payload, state, priority, run_at, max_attempts, concurrency_key, timeout_ms, created_at)
  SELECT :kind, :payload::jsonb, 'ready', :priority, :run_at,
         coalesce(:max_attempts::int, (SELECT retry_max_attempts FROM kind_policy), :default_max_attempts),
         :concurrency_key::text, :timeout_ms::bigint, :now
  WHERE NOT coalesce((SELECT shadow FROM kind_policy), false)
  RETURNING id
), shadowed AS (
  INSERT INTO ${schema}.job_finished (id, kind, state, priority, attempt, max_attempts, concurrency_key, created_at, finished_at)
  SELECT nextval(pg_get_serial_sequence('${schema}.job', 'id')), :kind, 'shadowed', :priority, 0,
         coalesce(:max_attempts::int, (SELECT retry_max_attempts FROM kind_policy), :default_max_attempts),
         :concurrency_key::text, :now, :now
  WHERE coalesce((SELECT shadow FROM kind_policy), false)
  RETURNING id
), notified AS (
  SELECT pg_notify(:channel, :notice) FROM inserted WHERE :notify AND :run_at <= :now
)
SELECT id, true AS created, (SELECT count(*) FROM notified) AS notified FROM inserted
UNION ALL
SELECT id, true, 0 FROM shadowed
