-- Reads buckets as they are at :now, without writing. :name NULL = every bucket.
SELECT r.name, r.capacity, r.refill_tokens, r.refill_period_us, r.window_us, r.reset_zone,
       CASE WHEN r.reset_zone IS NULL THEN NULL
            WHEN GREATEST(r.refilled_at, :now::timestamptz) >= r.resets_at
            THEN ${schema}.rate_limit_next_reset(GREATEST(r.refilled_at, :now::timestamptz), r.reset_zone)
            ELSE r.resets_at END AS resets_at,
       ${schema}.rate_limit_available(r, :now::timestamptz) AS available,
       r.granted_total, r.updated_at
FROM ${schema}.rate_limit r
WHERE :name::text IS NULL OR r.name = :name
ORDER BY r.name
