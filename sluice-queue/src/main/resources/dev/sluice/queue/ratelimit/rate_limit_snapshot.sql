-- Reads buckets as they are at :now, without writing. :name NULL = every bucket.
SELECT r.name, r.capacity, r.refill_tokens, r.refill_period_us, r.window_us,
       ${schema}.rate_limit_available(r, :now::timestamptz) AS available,
       r.granted_total, r.updated_at
FROM ${schema}.rate_limit r
WHERE :name::text IS NULL OR r.name = :name
ORDER BY r.name
