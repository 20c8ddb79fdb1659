-- Lowers a bucket to what the API says is left: at most :remaining permits may be granted before
-- the API's window ends in :window_left_us, so tokens become at most
-- remaining - refill(window_left) (possibly negative: a debt the refill pays back before the next
-- grant). Never raises the tokens: the API's count may lag calls still in flight.
UPDATE ${schema}.rate_limit r SET
  tokens = LEAST(
             LEAST(r.capacity::float8,
                   r.tokens + GREATEST(0, (EXTRACT(EPOCH FROM (:now::timestamptz - r.refilled_at)) * 1000000)::bigint)::float8
                              * r.refill_tokens / r.refill_period_us),
             :remaining::float8 - :window_left_us::float8 * r.refill_tokens / r.refill_period_us),
  refilled_at = GREATEST(r.refilled_at, :now::timestamptz),
  updated_at = :now
WHERE r.name = :name
RETURNING r.tokens
