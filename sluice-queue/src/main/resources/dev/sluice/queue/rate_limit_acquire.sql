-- Refills, checks and debits one or several buckets, all or nothing, in one statement.
-- :names are distinct; :now is the caller's clock (never the database's, so an injected clock
-- drives the refill). The FOR UPDATE re-reads the newest version of each row after waiting for a
-- concurrent acquirer, so "available" is computed from the latest committed tokens; rows are
-- locked in name order so that two multi-bucket acquires cannot deadlock.
-- The statement commits without waiting for the WAL flush (synchronous_commit off for this
-- transaction only): an acquire then costs a round trip instead of an fsync. Other processes see
-- the debit at once; only a crash of the database itself within a fraction of a second can forget
-- the last grants, so the bucket may grant them again after such a crash.
WITH p AS (
  SELECT :names::text[] AS names, :now::timestamptz AS now, :permits::int AS permits,
         set_config('synchronous_commit', 'off', true) AS async_commit
), cur AS (
  SELECT r.name, r.capacity, r.refill_tokens, r.refill_period_us,
         LEAST(r.capacity::float8,
               r.tokens + GREATEST(0, (EXTRACT(EPOCH FROM (p.now - r.refilled_at)) * 1000000)::bigint)::float8
                          * r.refill_tokens / r.refill_period_us) AS available,
         GREATEST(r.refilled_at, p.now) AS at
  FROM ${schema}.rate_limit r, p
  WHERE r.name = ANY (p.names)
  ORDER BY r.name
  FOR UPDATE OF r
), decision AS (
  SELECT count(cur.name) = max(cardinality(p.names)) AND coalesce(bool_and(cur.available >= p.permits), false) AS granted
  FROM p LEFT JOIN cur ON true
), debit AS (
  UPDATE ${schema}.rate_limit b
  SET tokens = cur.available - p.permits,
      refilled_at = cur.at,
      granted_total = b.granted_total + p.permits
  FROM cur, decision, p
  WHERE b.name = cur.name AND decision.granted
  RETURNING b.name
)
SELECT cur.name, decision.granted, cur.available, cur.capacity, cur.refill_tokens, cur.refill_period_us
FROM cur, decision
ORDER BY cur.name
