-- Keeps a batch that waits for the CRM's rate limit leased to its drainer, while its claim holds;
-- answers the leads still held (one missing was claimed by another drainer: not to be sent).
-- Rows are locked in (source, email_key) order, as upsert_leads.sql locks them (see record_outcomes.sql).
WITH locked AS MATERIALIZED (
  SELECT id FROM ${schema}.leads
  WHERE id = ANY(:ids::bigint[]) AND state = 'sending' AND claim_token = :token::uuid
  ORDER BY source COLLATE "C", email_key COLLATE "C"
  FOR UPDATE
)
UPDATE ${schema}.leads l
SET available_at = :lease_until
FROM locked
WHERE l.id = locked.id AND l.state = 'sending' AND l.claim_token = :token::uuid
RETURNING l.id
