-- The outcomes of leads of one claim (:token), in one statement, committed without waiting for the
-- WAL flush (see LeadStore.recordOutcomes):
--   sent     → 'sent' with the CRM id;  rejected → 'rejected' with the CRM's reason; either goes back
--              to 'received' instead when the lead changed since it was claimed (the newer version
--              is sent next);
--   retrying → 'retrying' until :retry_at, one attempt spent when :spent is 1 (0 for a rate-limit wait).
-- Only rows the claim still holds are touched (a drainer that stalled past its lease changes nothing).
-- The rows are locked first, in (source, email_key) order: the order in which upsert_leads.sql locks
-- them. A drainer recording outcomes and an intake storing repeats of the same leads then wait for
-- one another instead of deadlocking (locking by id, as a join on the id array does, could not).
WITH async AS (
  SELECT set_config('synchronous_commit', 'off', true) AS off
), locked AS MATERIALIZED (
  SELECT l.id FROM ${schema}.leads l, async
  WHERE l.id = ANY(:ids::bigint[]) AND l.state = 'sending' AND l.claim_token = :token::uuid
  ORDER BY l.source COLLATE "C", l.email_key COLLATE "C"
  FOR UPDATE OF l
)
UPDATE ${schema}.leads l
SET state        = CASE WHEN t.outcome = 'retrying' THEN 'retrying'
                        WHEN l.version = t.v THEN t.outcome
                        ELSE 'received' END,
    crm_id       = CASE WHEN t.outcome = 'sent' THEN t.crm ELSE l.crm_id END,
    last_error   = CASE WHEN t.outcome = 'sent' THEN NULL ELSE t.reason END,
    sent_at      = CASE WHEN t.outcome = 'sent' THEN :now ELSE l.sent_at END,
    attempts     = l.attempts + CASE WHEN t.outcome = 'retrying' THEN :spent ELSE 0 END,
    updated_at   = :now,
    available_at = CASE WHEN t.outcome = 'retrying' THEN :retry_at ELSE :now END
FROM locked
JOIN unnest(:ids::bigint[], :versions::int[], :outcomes::text[], :crm_ids::text[], :reasons::text[])
  AS t(id, v, outcome, crm, reason) ON t.id = locked.id
WHERE l.id = locked.id AND l.state = 'sending' AND l.claim_token = :token::uuid
