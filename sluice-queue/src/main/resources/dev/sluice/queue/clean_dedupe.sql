-- Expired dedupe keys, a batch at a time; the outer DELETE repeats the condition (a key taken over
-- by a new job meanwhile has a new expiry and is kept).
DELETE FROM ${schema}.job_dedupe
WHERE (kind, dedupe_key) IN (
    SELECT kind, dedupe_key FROM ${schema}.job_dedupe WHERE expires_at <= :now LIMIT :limit)
  AND expires_at <= :now
