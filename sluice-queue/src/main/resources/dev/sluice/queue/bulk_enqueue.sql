-- Many jobs in one statement from parallel arrays; duplicates of a dedupe key are skipped.
WITH source AS (
  SELECT * FROM unnest(:kinds::text[], :payloads::text[], :priorities::int[], :run_at_ms::bigint[],
                       :max_attempts::int[], :dedupe_keys::text[], :concurrency_keys::text[], :timeouts_ms::bigint[])
           AS s(kind, payload, priority, run_at_ms, max_attempts, dedupe_key, concurrency_key, timeout_ms)
), inserted AS (
  INSERT INTO ${schema}.job (kind, payload, state, priority, run_at, max_attempts, dedupe_key,
                             concurrency_key, timeout_ms, created_at, finished_at)
  SELECT s.kind, s.payload::jsonb,
         CASE WHEN coalesce(k.shadow, false) THEN 'shadowed' ELSE 'ready' END,
         s.priority, timestamptz 'epoch' + s.run_at_ms * interval '1 millisecond',
         coalesce(s.max_attempts, k.retry_max_attempts, :default_max_attempts),
         s.dedupe_key, s.concurrency_key, s.timeout_ms, :now,
         CASE WHEN coalesce(k.shadow, false) THEN :now END
  FROM source s LEFT JOIN ${schema}.job_kind k ON k.kind = s.kind
  ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
  RETURNING 1
)
SELECT count(*) FROM inserted
