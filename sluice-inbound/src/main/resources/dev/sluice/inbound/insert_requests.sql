-- The batch's requests that carried at least one new event (bodies travel as base64 text).
INSERT INTO ${schema}.inbound_request (id, source, connection, received_at, headers, body, verification, event_count)
SELECT u.id, u.source, u.connection, u.received_at::timestamptz, u.headers::jsonb, decode(u.body, 'base64'),
       u.verification, u.event_count
FROM unnest(:ids::bigint[], :sources::text[], :connections::text[], :received_at::text[], :headers::text[],
            :bodies::text[], :verifications::text[], :event_counts::int[])
       AS u(id, source, connection, received_at, headers, body, verification, event_count)
