-- dead -> ready (back in the hot table, attempts reset) for every dead job matching the filter.
-- A job with a dedupe key takes it again in job_dedupe (expiry: the kind's dedupe window from now,
-- as at enqueue). One whose key another job holds unexpired stays dead (reviving it would run a
-- duplicate); of several dead jobs with one key, only the newest is revived.
WITH candidates AS (
  SELECT d.id, d.dedupe_key,
         row_number() OVER (PARTITION BY d.kind, d.dedupe_key ORDER BY d.id DESC) AS nth
  FROM ${schema}.job_dead d
  WHERE d.state = 'dead'
    AND (:kind::text IS NULL OR d.kind = :kind::text)
    AND (:error_contains::text IS NULL OR strpos(d.last_error, :error_contains::text) > 0)
    AND NOT EXISTS (SELECT 1 FROM ${schema}.job_dedupe x
                    WHERE x.kind = d.kind AND x.dedupe_key = d.dedupe_key AND x.job_id <> d.id AND x.expires_at > :now)
), revived AS (
  DELETE FROM ${schema}.job_dead d
  USING candidates c
  WHERE d.id = c.id AND d.state = 'dead' AND (c.dedupe_key IS NULL OR c.nth = 1)
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
)
SELECT count(*) FROM inserted
