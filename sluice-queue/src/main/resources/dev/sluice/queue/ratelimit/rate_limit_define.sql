-- Creates a bucket full, or changes the configuration of an existing one without refilling it:
-- what was used of the old bucket stays used, so restarting a process that defines its limits at
-- startup never hands out a fresh burst. :window_us NULL = a token bucket, else a rolling window;
-- :reset_zone set = a fixed window resetting at midnight there (what is left of it carries over).
-- Switching kinds carries the use over: a token bucket's missing tokens become grants at :now in
-- the new log; a log's live grants become missing tokens.
WITH p AS (
  SELECT :name::text AS name, :capacity::bigint AS capacity, :refill_tokens::bigint AS refill_tokens,
         :refill_period_us::bigint AS refill_period_us, :window_us::bigint AS window_us, :now::timestamptz AS now,
         :reset_zone::text AS reset_zone
)
INSERT INTO ${schema}.rate_limit AS r
  (name, capacity, refill_tokens, refill_period_us, tokens, refilled_at, updated_at, window_us, grants, reset_zone, resets_at)
SELECT p.name, p.capacity, p.refill_tokens, p.refill_period_us, p.capacity, p.now, p.now, p.window_us,
       CASE WHEN p.window_us IS NULL THEN NULL ELSE '{}'::bigint[] END,
       p.reset_zone, CASE WHEN p.reset_zone IS NULL THEN NULL ELSE ${schema}.rate_limit_next_reset(p.now, p.reset_zone) END
FROM p
ON CONFLICT (name) DO UPDATE SET
  tokens = LEAST(EXCLUDED.capacity::float8, ${schema}.rate_limit_available(r, EXCLUDED.refilled_at)),
  grants = CASE
             WHEN EXCLUDED.window_us IS NULL THEN NULL
             WHEN r.window_us IS NOT NULL THEN r.grants
             ELSE array_fill((EXTRACT(EPOCH FROM GREATEST(r.refilled_at, EXCLUDED.refilled_at)) * 1000000)::bigint,
                             ARRAY[LEAST(EXCLUDED.capacity,
                                         GREATEST(0, ceil(r.capacity - ${schema}.rate_limit_available(r, EXCLUDED.refilled_at))))::int])
           END,
  capacity = EXCLUDED.capacity,
  refill_tokens = EXCLUDED.refill_tokens,
  refill_period_us = EXCLUDED.refill_period_us,
  window_us = EXCLUDED.window_us,
  reset_zone = EXCLUDED.reset_zone,
  resets_at = CASE WHEN EXCLUDED.reset_zone IS NULL THEN NULL
                   WHEN r.reset_zone = EXCLUDED.reset_zone AND r.resets_at > GREATEST(r.refilled_at, EXCLUDED.refilled_at) THEN r.resets_at
                   ELSE ${schema}.rate_limit_next_reset(GREATEST(r.refilled_at, EXCLUDED.refilled_at), EXCLUDED.reset_zone) END,
  refilled_at = GREATEST(r.refilled_at, EXCLUDED.refilled_at),
  updated_at = EXCLUDED.updated_at
