INSERT INTO ${schema}.action_permit_wait (bucket, waiter, permits, until)
SELECT b, :waiter::uuid, :permits, :until FROM unnest(:buckets::text[]) b
ON CONFLICT (bucket, waiter) DO UPDATE SET permits = EXCLUDED.permits, until = EXCLUDED.until
