-- The batch's new events, normalized: one line of tab-separated COPY text per event (EventWriter).
-- COPY instead of INSERT … SELECT FROM unnest(13 text[] literals): PostgreSQL parses no array
-- literals (~3 µs of CPU per event less, docs/benchmarks.md) and serve quotes no array elements.
COPY ${schema}.inbound_event (id, request_id, source, connection, provider_event_id, type, object_type, object_id,
                              property_name, property_value, occurred_at, received_at, payload)
FROM STDIN
