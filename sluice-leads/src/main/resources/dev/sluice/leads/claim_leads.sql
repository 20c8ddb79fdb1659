-- One statement claims a batch for a drainer: waiting leads of its connection, and leads whose
-- sending lease ran out (their drainer died). Each is leased until :lease_until under the new
-- claim :token, which every later mark, extend and release of the drainer must name.
-- The claim commits without waiting for the WAL flush (synchronous_commit off for this statement's
-- transaction only; see LeadStore.claim): a claim lost with the database's last fraction of a
-- second only sends the leads again, and the CRM write is an upsert by email.
WITH async AS (
  SELECT set_config('synchronous_commit', 'off', true) AS off
), picked AS (
  SELECT id FROM ${schema}.leads
  WHERE destination = :destination
    AND state IN ('received', 'retrying', 'sending')
    AND available_at <= :now
  ORDER BY available_at, id
  LIMIT :limit
  FOR UPDATE SKIP LOCKED
)
UPDATE ${schema}.leads l
SET state = 'sending', available_at = :lease_until, updated_at = :now, claim_token = :token::uuid
FROM picked, async
WHERE l.id = picked.id AND l.state IN ('received', 'retrying', 'sending')
RETURNING l.id, l.source, l.email, l.fields::text, l.version, l.attempts
