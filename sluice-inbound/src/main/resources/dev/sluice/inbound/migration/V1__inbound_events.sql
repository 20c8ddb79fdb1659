-- Inbound webhook requests and the events they carried, the dedupe memory, and the ids waiting for
-- a mirror refresh. Runs in the engine's schema; history table inbound_schema_history.

-- One accepted request that carried at least one new event: raw body and chosen headers, kept for
-- replay and for "what exactly did the sender say". Requests that were all duplicates are not kept.
CREATE TABLE inbound_request (
  id            bigserial PRIMARY KEY,
  source        text NOT NULL CHECK (source IN ('hubspot', 'salesforce', 'mailchimp', 'standard')),
  connection    text NOT NULL,
  received_at   timestamptz NOT NULL,
  headers       jsonb NOT NULL,
  body          bytea NOT NULL,
  verification  text NOT NULL,
  event_count   int NOT NULL
);
CREATE INDEX inbound_request_received_idx ON inbound_request (received_at);

-- One normalized event. handled_* are written by the event job (until the rules engine gives it
-- real work, it only records that the event was seen); replays counts operator replays.
CREATE TABLE inbound_event (
  id                 bigserial PRIMARY KEY,
  request_id         bigint NOT NULL REFERENCES inbound_request (id) ON DELETE CASCADE,
  source             text NOT NULL,
  connection         text NOT NULL,
  provider_event_id  text NOT NULL,
  type               text NOT NULL,
  object_type        text,
  object_id          text,
  property_name      text,
  property_value     text,
  occurred_at        timestamptz,
  received_at        timestamptz NOT NULL,
  payload            jsonb NOT NULL,
  handled_count      int NOT NULL DEFAULT 0,
  first_handled_at   timestamptz,
  last_handled_at    timestamptz,
  replays            int NOT NULL DEFAULT 0,
  last_replayed_at   timestamptz
);
CREATE INDEX inbound_event_request_idx ON inbound_event (request_id);
CREATE INDEX inbound_event_source_type_idx ON inbound_event (source, type, id);
CREATE INDEX inbound_event_object_idx ON inbound_event (object_id, id);
CREATE INDEX inbound_event_received_idx ON inbound_event (received_at);

-- The dedupe memory: one row per provider event id ever accepted, kept for at least the senders'
-- retry horizon whatever the events' own retention. The primary key is what makes a duplicate
-- delivery a no-op (INSERT … ON CONFLICT DO NOTHING inside the storing transaction).
CREATE TABLE inbound_dedupe (
  source             text NOT NULL,
  connection         text NOT NULL,
  provider_event_id  text NOT NULL,
  first_seen_at      timestamptz NOT NULL,
  PRIMARY KEY (source, connection, provider_event_id)
);
CREATE INDEX inbound_dedupe_seen_idx ON inbound_dedupe (first_seen_at);

-- Record ids named by events and not yet refreshed in the mirror; a refresh job per connection and
-- object type takes them all at once, so a burst of events about one record costs one read.
CREATE TABLE inbound_mirror_pending (
  connection   text NOT NULL,
  object_type  text NOT NULL,
  object_id    text NOT NULL,
  event_id     bigint NOT NULL,
  noted_at     timestamptz NOT NULL,
  PRIMARY KEY (connection, object_type, object_id)
);
