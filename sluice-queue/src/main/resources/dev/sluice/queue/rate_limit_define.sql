-- Creates a bucket full, or changes the configuration of an existing one without refilling it:
-- tokens accrued so far (at the old rate) are kept, clamped to the new capacity, so restarting a
-- process that defines its limits at startup never hands out a fresh burst.
INSERT INTO ${schema}.rate_limit AS r
  (name, capacity, refill_tokens, refill_period_us, tokens, refilled_at, updated_at)
VALUES (:name, :capacity, :refill_tokens, :refill_period_us, :capacity, :now, :now)
ON CONFLICT (name) DO UPDATE SET
  tokens = LEAST(EXCLUDED.capacity::float8,
                 r.capacity::float8,
                 r.tokens + GREATEST(0, (EXTRACT(EPOCH FROM (EXCLUDED.refilled_at - r.refilled_at)) * 1000000)::bigint)::float8
                            * r.refill_tokens / r.refill_period_us),
  capacity = EXCLUDED.capacity,
  refill_tokens = EXCLUDED.refill_tokens,
  refill_period_us = EXCLUDED.refill_period_us,
  refilled_at = GREATEST(r.refilled_at, EXCLUDED.refilled_at),
  updated_at = EXCLUDED.updated_at
