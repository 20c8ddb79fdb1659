-- One job with a dedupe key: the key is taken in job_dedupe first, unique per (kind, key) until it
-- expires (the kind's dedupe window from now, default 7 days), whatever happens to the job; an
-- expired key is taken over. A key held by another job answers that job's id, created = false.
-- The kind's shared lock comes first, as in enqueue.sql.
SELECT pg_advisory_xact_lock_shared(hashtext(:lock_space), hashtext(:kind));
WITH kind_policy AS (
  SELECT shadow, retry_max_attempts, dedupe_window_ms FROM ${schema}.job_kind WHERE kind = :kind
), taken AS (
  INSERT INTO ${schema}.job_dedupe AS d (kind, dedupe_key, job_id, expires_at)
  VALUES (:kind, :dedupe_key, nextval(pg_get_serial_sequence('${schema}.job', 'id')),
          :now + coalesce((SELECT dedupe_window_ms FROM kind_policy), :default_dedupe_window_ms) * interval '1 millisecond')
  ON CONFLICT (kind, dedupe_key) DO UPDATE SET job_id = excluded.job_id, expires_at = excluded.expires_at
    WHERE d.expires_at <= :now
  RETURNING job_id
), inserted AS (
  INSERT INTO ${schema}.job (id, kind, payload, state, priority, run_at, max_attempts, dedupe_key, concurrency_key,
                             timeout_ms, created_at)
  OVERRIDING SYSTEM VALUE
  SELECT taken.job_id, :kind, :payload::jsonb, 'ready', :priority, :run_at,
         coalesce(:max_attempts::int, (SELECT retry_max_attempts FROM kind_policy), :default_max_attempts),
         :dedupe_key, :concurrency_key::text, :timeout_ms::bigint, :now
  FROM taken
  WHERE NOT coalesce((SELECT shadow FROM kind_policy), false)
  RETURNING id
), shadowed AS (
  INSERT INTO ${schema}.job_finished (id, kind, state, priority, attempt, max_attempts, dedupe_key, concurrency_key,
                                      created_at, finished_at)
  SELECT taken.job_id, :kind, 'shadowed', :priority, 0,
         coalesce(:max_attempts::int, (SELECT retry_max_attempts FROM kind_policy), :default_max_attempts),
         :dedupe_key, :concurrency_key::text, :now, :now
  FROM taken
  WHERE coalesce((SELECT shadow FROM kind_policy), false)
  RETURNING id
), notified AS (
  SELECT pg_notify(:channel, :notice) FROM inserted WHERE :notify AND :run_at <= :now
)
SELECT id, true AS created, (SELECT count(*) FROM notified) AS notified FROM inserted
UNION ALL
SELECT id, true, 0 FROM shadowed
UNION ALL
SELECT job_id, false, 0 FROM ${schema}.job_dedupe
WHERE kind = :kind AND dedupe_key = :dedupe_key AND NOT EXISTS (SELECT 1 FROM taken)
