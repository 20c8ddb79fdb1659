-- Reads buckets with their tokens refilled up to :now, without writing. :name NULL = every bucket.
SELECT r.name, r.capacity, r.refill_tokens, r.refill_period_us,
       LEAST(r.capacity::float8,
             r.tokens + GREATEST(0, (EXTRACT(EPOCH FROM (:now::timestamptz - r.refilled_at)) * 1000000)::bigint)::float8
                        * r.refill_tokens / r.refill_period_us) AS available,
       r.granted_total, r.updated_at
FROM ${schema}.rate_limit r
WHERE :name::text IS NULL OR r.name = :name
ORDER BY r.name
