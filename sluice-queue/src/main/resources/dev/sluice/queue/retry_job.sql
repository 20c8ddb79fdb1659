-- dead | cancelled (job_dead) -> ready now, back in the hot table with a fresh set of attempts;
-- retryable -> ready now, attempts reset. A revived job with a dedupe key takes it again in
-- job_dedupe (expiry: the kind's dedupe window from now, as at enqueue); while another job holds
-- that key unexpired the revive is refused (no row: it would run a duplicate).
WITH revived AS (
  DELETE FROM ${schema}.job_dead d
  WHERE d.id = :id AND d.state IN ('dead', 'cancelled')
    AND NOT EXISTS (SELECT 1 FROM ${schema}.job_dedupe x
                    WHERE x.kind = d.kind AND x.dedupe_key = d.dedupe_key AND x.job_id <> d.id AND x.expires_at > :now)
  RETURNING d.*
), keys AS (
  INSERT INTO ${schema}.job_dedupe AS x (kind, dedupe_key, job_id, expires_at)
  SELECT r.kind, r.dedupe_key, r.id,
         :now + coalesce(k.dedupe_window_ms, :default_dedupe_window_ms) * interval '1 millisecond'
  FROM revived r LEFT JOIN ${schema}.job_kind k ON k.kind = r.kind
  WHERE r.dedupe_key IS NOT NULL
  ON CONFLICT (kind, dedupe_key) DO UPDATE SET job_id = excluded.job_id, expires_at = excluded.expires_at
    WHERE x.job_id = excluded.job_id OR x.expires_at <= :now
), inserted AS (
  INSERT INTO ${schema}.job (id, kind, payload, state, priority, run_at, attempt, max_attempts, dedupe_key,
                             concurrency_key, last_error, last_error_stack, progress, timeout_ms, created_at)
  OVERRIDING SYSTEM VALUE
  SELECT id, kind, payload, 'ready', priority, :now, 0, max_attempts, dedupe_key, concurrency_key, last_error,
         last_error_stack, progress, timeout_ms, created_at
  FROM revived
  RETURNING id
), waiting AS (
  UPDATE ${schema}.job SET state = 'ready', run_at = :now, attempt = 0
  WHERE id = :id AND state = 'retryable'
  RETURNING id
)
SELECT id FROM inserted
UNION ALL
SELECT id FROM waiting
