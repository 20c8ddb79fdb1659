-- Retention: requests received before the cutoff and their events, a slice at a time.
WITH doomed AS MATERIALIZED (
  SELECT id FROM ${schema}.inbound_request WHERE received_at < :cutoff ORDER BY id LIMIT :limit
), events AS (
  DELETE FROM ${schema}.inbound_event e USING doomed WHERE e.request_id = doomed.id
)
DELETE FROM ${schema}.inbound_request WHERE id IN (SELECT id FROM doomed)
