-- Hands claimed leads back untouched (another lead of the batch has the same CRM email).
UPDATE ${schema}.leads
SET state = 'received', available_at = :now, updated_at = :now
WHERE id = ANY(:ids::bigint[]) AND state = 'sending' AND claim_token = :token::uuid
