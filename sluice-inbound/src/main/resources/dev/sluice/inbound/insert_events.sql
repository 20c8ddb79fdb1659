-- The batch's new events, normalized.
INSERT INTO ${schema}.inbound_event (id, request_id, source, connection, provider_event_id, type, object_type,
                                     object_id, property_name, property_value, occurred_at, received_at, payload)
SELECT u.id, u.request_id, u.source, u.connection, u.provider_event_id, u.type, u.object_type, u.object_id,
       u.property_name, u.property_value, u.occurred_at::timestamptz, u.received_at::timestamptz, u.payload::jsonb
FROM unnest(:ids::bigint[], :request_ids::bigint[], :sources::text[], :connections::text[], :provider_event_ids::text[],
            :types::text[], :object_types::text[], :object_ids::text[], :property_names::text[], :property_values::text[],
            :occurred_at::text[], :received_at::text[], :payloads::text[])
       AS u(id, request_id, source, connection, provider_event_id, type, object_type, object_id, property_name,
            property_value, occurred_at, received_at, payload)
