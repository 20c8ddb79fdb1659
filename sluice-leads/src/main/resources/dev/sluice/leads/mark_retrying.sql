-- A send failed for a reason that may pass (5xx, timeout, a long rate-limit wait): back to the
-- drain at :available_at. :spent is 1 for a failed attempt, 0 for a rate-limit wait.
UPDATE ${schema}.leads
SET state        = 'retrying',
    attempts     = attempts + :spent,
    last_error   = :reason,
    updated_at   = :now,
    available_at = :available_at
WHERE id = ANY(:ids::bigint[]) AND state = 'sending' AND claim_token = :token::uuid
