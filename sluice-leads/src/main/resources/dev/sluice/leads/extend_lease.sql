-- Keeps a batch that waits for the CRM's rate limit leased to its drainer.
UPDATE ${schema}.leads
SET available_at = :lease_until
WHERE id = ANY(:ids::bigint[]) AND state = 'sending'
