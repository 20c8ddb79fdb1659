-- The event job handled the events of these requests (recorded the first time only).
UPDATE ${schema}.inbound_request
SET handled_at = :now
WHERE id = ANY(:ids::bigint[]) AND handled_at IS NULL
