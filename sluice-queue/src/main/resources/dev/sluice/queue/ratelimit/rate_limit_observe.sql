-- Adapts a bucket to what the API says is left: at most :remaining permits may be granted before
-- the API's window ends in :window_left_us.
--   fixed window (a daily quota): the API's count is the quota, so tokens become :remaining, up or
--   down; it never holds back what the API says remains (calls still in flight may cost a few
--   429s at the very end of the quota, which the caller waits out until the reset);
-- The other kinds are only ever lowered: the API's count may lag calls still in flight.
--   token bucket: tokens become at most remaining - refill(window_left_us) (possibly negative: a
--   debt the refill pays back before the next grant);
--   rolling window: grants at the bucket's time are added until no more than :remaining are free
--   (they leave the window a whole window from now, later than the API's own calls would: safe).
UPDATE ${schema}.rate_limit r SET
  tokens = CASE WHEN r.reset_zone IS NOT NULL THEN :remaining::float8
           WHEN r.window_us IS NULL
             THEN LEAST(${schema}.rate_limit_available(r, :now::timestamptz),
                        :remaining::float8 - :window_left_us::float8 * r.refill_tokens / r.refill_period_us)
             ELSE r.tokens END,
  grants = CASE WHEN r.window_us IS NULL THEN NULL
             ELSE ARRAY(SELECT g FROM unnest(r.grants) g
                        WHERE g > (EXTRACT(EPOCH FROM GREATEST(r.refilled_at, :now::timestamptz)) * 1000000)::bigint - r.window_us
                        ORDER BY g)
                  || array_fill((EXTRACT(EPOCH FROM GREATEST(r.refilled_at, :now::timestamptz)) * 1000000)::bigint,
                                ARRAY[GREATEST(0, floor(${schema}.rate_limit_available(r, :now::timestamptz) - :remaining::float8))::int])
           END,
  resets_at = CASE WHEN r.reset_zone IS NULL THEN NULL
                   WHEN GREATEST(r.refilled_at, :now::timestamptz) >= r.resets_at
                   THEN ${schema}.rate_limit_next_reset(GREATEST(r.refilled_at, :now::timestamptz), r.reset_zone)
                   ELSE r.resets_at END,
  refilled_at = GREATEST(r.refilled_at, :now::timestamptz),
  updated_at = :now
WHERE r.name = :name
RETURNING r.tokens
