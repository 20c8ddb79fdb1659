-- The request an event came in, for the raw view.
SELECT r.headers::text, r.body, r.verification, r.received_at
FROM ${schema}.inbound_request r
WHERE r.id = :id
