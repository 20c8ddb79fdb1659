-- Leads accepted by POST /v1/leads, one row per (source, normalized email): the unique constraint
-- is the dedupe rule, so two concurrent submissions of one address can never make two leads.
CREATE TABLE leads (
  id            bigserial PRIMARY KEY,
  source        text        NOT NULL,
  email_key     text        NOT NULL,               -- normalized: trimmed, lower-cased, + configured rules
  email         text        NOT NULL,               -- as first submitted (trimmed, lower-cased): the CRM's upsert key
  fields        jsonb       NOT NULL DEFAULT '{}',  -- merged: newest non-empty value of each field wins
  destination   text,                             -- connection drained into; null = stored only
  state         text        NOT NULL CHECK (state IN ('received', 'sending', 'sent', 'rejected', 'retrying')),
  version       integer     NOT NULL DEFAULT 1,     -- bumped when a repeat changes the fields
  submissions   integer     NOT NULL DEFAULT 1,
  attempts      integer     NOT NULL DEFAULT 0,     -- failed sends (5xx, timeouts); 429 waits spend none
  available_at  timestamptz NOT NULL,               -- received/retrying: not before; sending: lease end
  crm_id        text,
  last_error    text,
  received_at   timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL,
  sent_at       timestamptz,
  CONSTRAINT leads_source_email_key UNIQUE (source, email_key)
);

-- What a drainer claims: leads of its connection that wait (or whose sending lease ran out), oldest first.
CREATE INDEX leads_drain_idx ON leads (destination, available_at, id)
  WHERE state IN ('received', 'retrying', 'sending') AND destination IS NOT NULL;
CREATE INDEX leads_state_idx ON leads (state, id);
