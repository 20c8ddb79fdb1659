-- Fixed-window buckets: a daily quota that resets at midnight in a time zone (HubSpot: the
-- account's daily limit resets at the portal's midnight). Unlike a token bucket it does not refill
-- as the day goes on: it holds what is left of today's quota (tokens) until resets_at, then holds
-- the whole quota again. reset_zone NULL = a token bucket or rolling window (V2, V3).
ALTER TABLE rate_limit
  ADD COLUMN reset_zone text CHECK (reset_zone IS NULL OR length(reset_zone) BETWEEN 1 AND 64),
  ADD COLUMN resets_at  timestamptz,
  ADD CONSTRAINT rate_limit_fixed_window_shape CHECK (
    (reset_zone IS NULL AND resets_at IS NULL) OR (reset_zone IS NOT NULL AND resets_at IS NOT NULL AND window_us IS NULL));

-- The first midnight in `zone` after `at` (a day is 23 or 25 hours across a DST change).
CREATE FUNCTION rate_limit_next_reset(at timestamptz, zone text) RETURNS timestamptz
LANGUAGE sql IMMUTABLE AS $$
  SELECT (date_trunc('day', at AT TIME ZONE zone) + interval '1 day') AT TIME ZONE zone
$$;

-- As in V3, plus fixed windows: the quota left until the reset, the whole quota from then on.
CREATE OR REPLACE FUNCTION rate_limit_available(b rate_limit, at timestamptz) RETURNS double precision
LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN b.reset_zone IS NOT NULL THEN
      CASE WHEN GREATEST(b.refilled_at, at) >= b.resets_at THEN b.capacity::float8 ELSE b.tokens END
    WHEN b.window_us IS NULL
    THEN LEAST(b.capacity::float8,
               b.tokens + GREATEST(0, (EXTRACT(EPOCH FROM (at - b.refilled_at)) * 1000000)::bigint)::float8
                          * b.refill_tokens / b.refill_period_us)
    ELSE (b.capacity - (SELECT count(*) FROM unnest(b.grants) g
                        WHERE g > (EXTRACT(EPOCH FROM GREATEST(b.refilled_at, at)) * 1000000)::bigint - b.window_us))::float8
  END
$$;
