-- Sets the lease of leads of one claim (:token) without an outcome, and answers the leads still held:
--   :state 'sending'  keeps them leased until :available_at (a batch waiting for the CRM's rate
--                     limit); one missing from the answer was claimed by another drainer since;
--   :state 'received' hands them back, claimable at :available_at (another lead of the batch has
--                     the same CRM email, or the drainer could not record the outcome of its call).
-- The rows are locked first in (source, email_key) order, as upsert_leads.sql locks them (see
-- record_outcomes.sql).
WITH locked AS MATERIALIZED (
  SELECT id FROM ${schema}.leads
  WHERE id = ANY(:ids::bigint[]) AND state = 'sending' AND claim_token = :token::uuid
  ORDER BY source COLLATE "C", email_key COLLATE "C"
  FOR UPDATE
)
UPDATE ${schema}.leads l
SET state        = :state::text,
    available_at = :available_at,
    updated_at   = CASE WHEN :state::text = 'sending' THEN l.updated_at ELSE :now END
FROM locked
WHERE l.id = locked.id AND l.state = 'sending' AND l.claim_token = :token::uuid
RETURNING l.id
