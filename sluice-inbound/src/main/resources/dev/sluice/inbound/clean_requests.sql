-- Retention: requests (and, by cascade, their events) received before the cutoff, a slice at a time.
DELETE FROM ${schema}.inbound_request
WHERE id IN (SELECT id FROM ${schema}.inbound_request WHERE received_at < :cutoff ORDER BY id LIMIT :limit)
