-- The events one request stored, in order (what its event job hands to the listener).
SELECT e.id, e.source, e.connection, e.provider_event_id, e.type, e.object_type, e.object_id, e.property_name,
       e.property_value, e.occurred_at, e.received_at, e.request_id,
       e.handled_count + (r.handled_at IS NOT NULL)::int, greatest(e.last_handled_at, r.handled_at), e.replays,
       e.last_replayed_at, e.payload::text
FROM ${schema}.inbound_event e JOIN ${schema}.inbound_request r ON r.id = e.request_id
WHERE e.request_id = :request_id
ORDER BY e.id
