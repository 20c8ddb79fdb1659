-- Changes the configuration of an existing bucket (same rules as the conflict branch of
-- rate_limit_define.sql); no row returned = no such bucket.
UPDATE ${schema}.rate_limit r SET
  tokens = LEAST(:capacity::float8, ${schema}.rate_limit_available(r, :now::timestamptz)),
  grants = CASE
             WHEN :window_us::bigint IS NULL THEN NULL
             WHEN r.window_us IS NOT NULL THEN r.grants
             ELSE array_fill((EXTRACT(EPOCH FROM GREATEST(r.refilled_at, :now::timestamptz)) * 1000000)::bigint,
                             ARRAY[LEAST(:capacity::bigint,
                                         GREATEST(0, ceil(r.capacity - ${schema}.rate_limit_available(r, :now::timestamptz))))::int])
           END,
  capacity = :capacity,
  refill_tokens = :refill_tokens,
  refill_period_us = :refill_period_us,
  window_us = :window_us::bigint,
  reset_zone = :reset_zone::text,
  resets_at = CASE WHEN :reset_zone::text IS NULL THEN NULL
                   WHEN r.reset_zone = :reset_zone::text AND r.resets_at > GREATEST(r.refilled_at, :now::timestamptz) THEN r.resets_at
                   ELSE ${schema}.rate_limit_next_reset(GREATEST(r.refilled_at, :now::timestamptz), :reset_zone::text) END,
  refilled_at = GREATEST(r.refilled_at, :now::timestamptz),
  updated_at = :now
WHERE r.name = :name
RETURNING r.name
