-- Hands claimed leads back untouched (another lead of the batch has the same CRM email, or the
-- drainer could not record the outcome of its call), to be claimed again at once. Rows are locked in
-- (source, email_key) order, as upsert_leads.sql locks them (see record_outcomes.sql).
WITH locked AS MATERIALIZED (
  SELECT id FROM ${schema}.leads
  WHERE id = ANY(:ids::bigint[]) AND state = 'sending' AND claim_token = :token::uuid
  ORDER BY source COLLATE "C", email_key COLLATE "C"
  FOR UPDATE
)
UPDATE ${schema}.leads l
SET state = 'received', available_at = :now, updated_at = :now
FROM locked
WHERE l.id = locked.id AND l.state = 'sending' AND l.claim_token = :token::uuid
