-- One job; a taken dedupe key is a no-op that answers the existing id.
-- A kind in shadow mode records the job as 'shadowed' (its handler never runs).
-- NOTIFY is delivered at commit, so a worker never wakes for a job it cannot see yet.
WITH kind_policy AS (
  SELECT shadow, retry_max_attempts FROM ${schema}.job_kind WHERE kind = :kind
), inserted AS (
  INSERT INTO ${schema}.job (kind, payload, state, priority, run_at, max_attempts, dedupe_key,
                             concurrency_key, timeout_ms, created_at, finished_at)
  SELECT :kind, :payload::jsonb,
         CASE WHEN coalesce((SELECT shadow FROM kind_policy), false) THEN 'shadowed' ELSE 'ready' END,
         :priority, :run_at, coalesce(:max_attempts::int, (SELECT retry_max_attempts FROM kind_policy), :default_max_attempts),
         :dedupe_key::text, :concurrency_key::text, :timeout_ms::bigint, :now,
         CASE WHEN coalesce((SELECT shadow FROM kind_policy), false) THEN :now END
  ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
  RETURNING id, state
), notified AS (
  SELECT pg_notify(:channel, :kind) FROM inserted
  WHERE inserted.state = 'ready' AND :notify AND :run_at <= :now
)
SELECT id, true AS created, (SELECT count(*) FROM notified) AS notified FROM inserted
UNION ALL
SELECT id, false, 0 FROM ${schema}.job
WHERE dedupe_key = :dedupe_key::text AND NOT EXISTS (SELECT 1 FROM inserted)
