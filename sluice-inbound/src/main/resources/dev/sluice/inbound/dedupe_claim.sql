-- Claims a batch's provider event ids in the dedupe memory and answers the ones seen for the first
-- time. A key sent twice in one batch is claimed once; a key another transaction is claiming waits
-- for it and is then skipped. Sorted, so two writers lock keys in the same order (no deadlock).
INSERT INTO ${schema}.inbound_dedupe (source, connection, provider_event_id, first_seen_at)
SELECT u.source, u.connection, u.provider_event_id, :now
FROM unnest(:sources::text[], :connections::text[], :provider_event_ids::text[]) AS u(source, connection, provider_event_id)
ORDER BY 1, 2, 3
ON CONFLICT DO NOTHING
RETURNING source, connection, provider_event_id
