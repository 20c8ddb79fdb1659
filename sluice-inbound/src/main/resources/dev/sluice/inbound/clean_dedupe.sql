-- The dedupe memory forgets ids first seen before the cutoff (at least the senders' retry horizon ago).
DELETE FROM ${schema}.inbound_dedupe
WHERE (source, connection, provider_event_id) IN (
  SELECT source, connection, provider_event_id FROM ${schema}.inbound_dedupe
  WHERE first_seen_at < :cutoff LIMIT :limit)
