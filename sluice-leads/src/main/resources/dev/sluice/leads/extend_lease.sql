-- Keeps a batch that waits for the CRM's rate limit leased to its drainer, while its claim holds;
-- answers the leads still held (one missing was claimed by another drainer: not to be sent).
UPDATE ${schema}.leads
SET available_at = :lease_until
WHERE id = ANY(:ids::bigint[]) AND state = 'sending' AND claim_token = :token::uuid
RETURNING id
