-- The batch's new events, normalized. The payloads travel as one JSON array (:payloads, element i
-- for row i): a text[] of JSON documents would have every quote in them escaped by the driver and
-- unescaped again by the server, the largest part of the statement's client cost.
INSERT INTO ${schema}.inbound_event (id, request_id, source, connection, provider_event_id, type, object_type,
                                     object_id, property_name, property_value, occurred_at, received_at, payload)
SELECT u.id, u.request_id, u.source, u.connection, u.provider_event_id, u.type, u.object_type, u.object_id,
       u.property_name, u.property_value, u.occurred_at::timestamptz, u.received_at::timestamptz, u.payload
FROM ROWS FROM (unnest(:ids::bigint[]), unnest(:request_ids::bigint[]), unnest(:sources::text[]),
                unnest(:connections::text[]), unnest(:provider_event_ids::text[]), unnest(:types::text[]),
                unnest(:object_types::text[]), unnest(:object_ids::text[]), unnest(:property_names::text[]),
                unnest(:property_values::text[]), unnest(:occurred_at::text[]), unnest(:received_at::text[]),
                jsonb_array_elements(:payloads::jsonb))
       AS u(id, request_id, source, connection, provider_event_id, type, object_type, object_id, property_name,
            property_value, occurred_at, received_at, payload)
