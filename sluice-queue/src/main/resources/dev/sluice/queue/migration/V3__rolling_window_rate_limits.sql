-- Rolling-window buckets: an exact log of the grants inside the window, for APIs that count calls
-- over a rolling window (HubSpot: 190 per 10 s). A token bucket can only approximate such a limit
-- (it must keep burst + refill <= limit, so it runs below the limit); the log grants exactly
-- `capacity` permits in any window of window_us, including the whole window's worth at once.
-- window_us NULL = a token bucket (the columns of V2). grants = grant instants in epoch
-- microseconds, ascending, only those still inside the window (older ones are dropped on write).
ALTER TABLE rate_limit
  ADD COLUMN window_us bigint CHECK (window_us IS NULL OR window_us > 0),
  ADD COLUMN grants    bigint[];

-- Permits a bucket could grant at `at` (at or after its refilled_at): a token bucket's tokens
-- refilled up to then, a rolling window's capacity minus the grants still inside it. Used where a
-- bucket is reconfigured; the hot acquire path inlines the same arithmetic.
CREATE FUNCTION rate_limit_available(b rate_limit, at timestamptz) RETURNS double precision
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN b.window_us IS NULL
    THEN LEAST(b.capacity::float8,
               b.tokens + GREATEST(0, (EXTRACT(EPOCH FROM (at - b.refilled_at)) * 1000000)::bigint)::float8
                          * b.refill_tokens / b.refill_period_us)
    ELSE (b.capacity - (SELECT count(*) FROM unnest(b.grants) g
                        WHERE g > (EXTRACT(EPOCH FROM GREATEST(b.refilled_at, at)) * 1000000)::bigint - b.window_us))::float8
  END
$$;
