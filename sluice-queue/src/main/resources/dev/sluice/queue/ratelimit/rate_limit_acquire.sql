-- Checks and debits one or several buckets, all or nothing, in one statement.
-- :names are distinct; :now is the caller's clock (never the database's, so an injected clock
-- drives the buckets). The FOR UPDATE re-reads the newest version of each row after waiting for a
-- concurrent acquirer, so the decision is made on the latest committed state; rows are locked in
-- name order so that two multi-bucket acquires cannot deadlock.
-- Three kinds of bucket (reset_zone set; else window_us NULL or not):
--   fixed window: what is left of the quota until resets_at, the whole quota from then on (and
--   resets_at moves to the next midnight in reset_zone); wait_us is the time until the reset;
--   token bucket: refilled continuously for the time elapsed, then debited;
--   rolling window: the grants still inside the window are counted; a grant appends :permits
--   entries at the bucket's time. "available" is then capacity - live grants, and wait_us is
--   how long until enough of the oldest grants leave the window.
-- :headroom permits (clamped per bucket to capacity - :permits) must stay in every bucket after the
-- grant: a caller of lower priority leaves them to waiters of higher priority (actions before a sync).
-- The statement commits without waiting for the WAL flush (synchronous_commit off for this
-- transaction only): an acquire then costs a round trip instead of an fsync. Other processes see
-- the debit at once; only a crash of the database itself within a fraction of a second can forget
-- the last grants, so the bucket may grant them again after such a crash.
WITH p AS (
  SELECT :names::text[] AS names, :now::timestamptz AS now, :permits::int AS permits, :headroom::int AS headroom,
         set_config('synchronous_commit', 'off', true) AS async_commit
), locked AS (
  SELECT r.name, r.capacity, r.refill_tokens, r.refill_period_us, r.tokens, r.refilled_at, r.window_us, r.grants,
         r.reset_zone, r.resets_at
  FROM ${schema}.rate_limit r, p
  WHERE r.name = ANY (p.names)
  ORDER BY r.name
  FOR UPDATE OF r
), timed AS (
  -- the bucket's own time never goes back, whatever clock a caller has
  SELECT l.*, GREATEST(l.refilled_at, p.now) AS at,
         (EXTRACT(EPOCH FROM GREATEST(l.refilled_at, p.now)) * 1000000)::bigint AS at_us
  FROM locked l, p
), cur AS (
  SELECT t.name, t.capacity, t.refill_tokens, t.refill_period_us, t.window_us, t.at, t.at_us, live.grants AS live,
         t.reset_zone,
         CASE WHEN t.reset_zone IS NULL THEN NULL
              WHEN t.at >= t.resets_at THEN ${schema}.rate_limit_next_reset(t.at, t.reset_zone)
              ELSE t.resets_at END AS resets_at,
         CASE WHEN t.reset_zone IS NOT NULL
           THEN CASE WHEN t.at >= t.resets_at THEN t.capacity::float8 ELSE t.tokens END
           WHEN t.window_us IS NULL
           THEN LEAST(t.capacity::float8,
                      t.tokens + GREATEST(0, (EXTRACT(EPOCH FROM (p.now - t.refilled_at)) * 1000000)::bigint)::float8
                                 * t.refill_tokens / t.refill_period_us)
           ELSE (t.capacity - cardinality(live.grants))::float8
         END AS available
  FROM timed t, p,
       LATERAL (SELECT coalesce(array_agg(g ORDER BY g), '{}'::bigint[]) AS grants
                FROM unnest(t.grants) g
                WHERE t.window_us IS NOT NULL AND g > t.at_us - t.window_us) live
), decision AS (
  SELECT count(cur.name) = max(cardinality(p.names))
         AND coalesce(bool_and(cur.available >= p.permits + LEAST(p.headroom, GREATEST(0, cur.capacity - p.permits))), false) AS granted
  FROM p LEFT JOIN cur ON true
), debit AS (
  UPDATE ${schema}.rate_limit b
  SET tokens = cur.available - p.permits,
      refilled_at = cur.at,
      resets_at = cur.resets_at,
      grants = CASE WHEN cur.window_us IS NULL THEN NULL
                    ELSE cur.live || array_fill(cur.at_us, ARRAY[p.permits]) END,
      granted_total = b.granted_total + p.permits
  FROM cur, decision, p
  WHERE b.name = cur.name AND decision.granted
  RETURNING b.name
)
SELECT cur.name, decision.granted, cur.available, cur.capacity, cur.refill_tokens, cur.refill_period_us,
       CASE WHEN cur.reset_zone IS NOT NULL AND cur.available < p.permits + h.keep
         -- a spent fixed window has its quota again at the reset
         THEN GREATEST(1, (EXTRACT(EPOCH FROM (cur.resets_at - cur.at)) * 1000000)::bigint)
         WHEN cur.window_us IS NOT NULL AND cur.available < p.permits + h.keep AND p.permits <= cur.capacity
         -- the (permits + headroom - available)-th oldest live grant must leave the window first
         THEN cur.live[(p.permits + h.keep - cur.available)::int] + cur.window_us - cur.at_us
       END AS wait_us
FROM cur, decision, p,
     LATERAL (SELECT LEAST(p.headroom, GREATEST(0, cur.capacity - p.permits)) AS keep) h
ORDER BY cur.name
