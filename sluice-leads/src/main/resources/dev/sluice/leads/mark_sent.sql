-- The CRM took these leads. A lead whose fields changed while it was being sent goes back to the
-- drain to send the newer version; only the drainer's own claim (state sending, its claim token) is finished.
UPDATE ${schema}.leads l
SET state        = CASE WHEN l.version = t.v THEN 'sent' ELSE 'received' END,
    crm_id       = t.crm,
    last_error   = NULL,
    sent_at      = :now,
    updated_at   = :now,
    available_at = :now
FROM unnest(:ids::bigint[], :versions::int[], :crm_ids::text[]) AS t(id, v, crm)
WHERE l.id = t.id AND l.state = 'sending' AND l.claim_token = :token::uuid
