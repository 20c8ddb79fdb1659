-- The CRM refused these leads for a reason of their own (e.g. an invalid email). A lead changed
-- since it was claimed goes back to the drain: the new values may fix it.
UPDATE ${schema}.leads l
SET state        = CASE WHEN l.version = t.v THEN 'rejected' ELSE 'received' END,
    last_error   = t.reason,
    updated_at   = :now,
    available_at = :now
FROM unnest(:ids::bigint[], :versions::int[], :reasons::text[]) AS t(id, v, reason)
WHERE l.id = t.id AND l.state = 'sending' AND l.claim_token = :token::uuid
