-- Changes the configuration of an existing bucket (same rules as the conflict branch of
-- rate_limit_define.sql); no row returned = no such bucket.
UPDATE ${schema}.rate_limit r SET
  tokens = LEAST(:capacity::float8,
                 r.capacity::float8,
                 r.tokens + GREATEST(0, (EXTRACT(EPOCH FROM (:now::timestamptz - r.refilled_at)) * 1000000)::bigint)::float8
                            * r.refill_tokens / r.refill_period_us),
  capacity = :capacity,
  refill_tokens = :refill_tokens,
  refill_period_us = :refill_period_us,
  refilled_at = GREATEST(r.refilled_at, :now::timestamptz),
  updated_at = :now
WHERE r.name = :name
RETURNING r.name
