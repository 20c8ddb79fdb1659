-- The batch's requests that carried at least one new event. Headers travel as one JSON array
-- (element i for row i) and bodies as one text of 'b' + base64 per request, comma-separated
-- (base64 has no comma; the 'b' keeps an empty body an element): text[] elements would be escaped
-- by the driver character by character.
INSERT INTO ${schema}.inbound_request (id, source, connection, received_at, headers, body, verification, event_count)
SELECT u.id, u.source, u.connection, u.received_at::timestamptz, u.headers, decode(substr(u.body, 2), 'base64'),
       u.verification, u.event_count
FROM ROWS FROM (unnest(:ids::bigint[]), unnest(:sources::text[]), unnest(:connections::text[]),
                unnest(:received_at::text[]), jsonb_array_elements(:headers::jsonb),
                unnest(string_to_array(:bodies::text, ',')), unnest(:verifications::text[]),
                unnest(:event_counts::int[]))
       AS u(id, source, connection, received_at, headers, body, verification, event_count)
