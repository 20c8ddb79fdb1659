-- Many jobs in one round trip from parallel arrays: the shared locks of their kinds (sorted, see
-- enqueue.sql), then one statement. Dedupe keys are taken in job_dedupe as in enqueue_dedupe.sql;
-- a row whose key is held (by an older job or an earlier row of the same call) is skipped.
SELECT count(pg_advisory_xact_lock_shared(hashtext(:lock_space), hashtext(k)))
FROM (SELECT DISTINCT k FROM unnest(:kinds::text[]) AS k ORDER BY k) kinds;
WITH source AS (
  SELECT s.*, k.shadow, k.retry_max_attempts, k.dedupe_window_ms,
         nextval(pg_get_serial_sequence('${schema}.job', 'id')) AS id
  FROM unnest(:kinds::text[], :payloads::text[], :priorities::int[], :run_at_ms::bigint[],
              :max_attempts::int[], :dedupe_keys::text[], :concurrency_keys::text[], :timeouts_ms::bigint[])
       WITH ORDINALITY AS s(kind, payload, priority, run_at_ms, max_attempts, dedupe_key, concurrency_key, timeout_ms, ord)
  LEFT JOIN ${schema}.job_kind k ON k.kind = s.kind
), taken AS (
  INSERT INTO ${schema}.job_dedupe AS d (kind, dedupe_key, job_id, expires_at)
  SELECT DISTINCT ON (kind, dedupe_key) kind, dedupe_key, id,
         :now + coalesce(dedupe_window_ms, :default_dedupe_window_ms) * interval '1 millisecond'
  FROM source s WHERE dedupe_key IS NOT NULL
    -- a key already held (committed, not expired) is skipped here: ON CONFLICT would lock its row
    -- until commit even though its WHERE leaves it alone, serializing every transaction that
    -- enqueues under one key (the webhook store's mirror refresh, one key per window)
    AND NOT EXISTS (SELECT 1 FROM ${schema}.job_dedupe h
                    WHERE h.kind = s.kind AND h.dedupe_key = s.dedupe_key AND h.expires_at > :now)
  ORDER BY kind, dedupe_key, ord
  ON CONFLICT (kind, dedupe_key) DO UPDATE SET job_id = excluded.job_id, expires_at = excluded.expires_at
    WHERE d.expires_at <= :now
  RETURNING job_id
), accepted AS (
  SELECT * FROM source WHERE dedupe_key IS NULL OR id IN (SELECT job_id FROM taken)
), inserted AS (
  INSERT INTO ${schema}.job (id, kind, payload, state, priority, run_at, max_attempts, dedupe_key, concurrency_key,
                             timeout_ms, created_at)
  OVERRIDING SYSTEM VALUE
  SELECT id, kind, payload::jsonb, 'ready', priority, timestamptz 'epoch' + run_at_ms * interval '1 millisecond',
         coalesce(max_attempts, retry_max_attempts, :default_max_attempts), dedupe_key, concurrency_key, timeout_ms, :now
  FROM accepted WHERE NOT coalesce(shadow, false)
  RETURNING 1
), shadowed AS (
  INSERT INTO ${schema}.job_finished (id, kind, state, priority, attempt, max_attempts, dedupe_key, concurrency_key,
                                      created_at, finished_at)
  SELECT id, kind, 'shadowed', priority, 0, coalesce(max_attempts, retry_max_attempts, :default_max_attempts),
         dedupe_key, concurrency_key, :now, :now
  FROM accepted WHERE coalesce(shadow, false)
  RETURNING 1
)
SELECT (SELECT count(*) FROM inserted) + (SELECT count(*) FROM shadowed)
