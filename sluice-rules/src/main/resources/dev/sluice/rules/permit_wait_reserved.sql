-- Permits live action waiters hold back in the most reserved of these buckets.
SELECT coalesce(max(reserved), 0)::int FROM (
  SELECT sum(permits) AS reserved FROM ${schema}.action_permit_wait
  WHERE bucket = ANY (:buckets::text[]) AND until > :now
  GROUP BY bucket
) r
