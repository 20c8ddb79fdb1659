-- Sync runs, their streams and event log, and the mirror of source records.
-- Runs in the engine's schema (Flyway sets it as the default schema); history table sync_schema_history.

-- Connections seen by the engine, so the per-platform views can pick their rows from sluice.record.
CREATE TABLE sync_connection (
  name          text PRIMARY KEY,
  platform      text NOT NULL,
  first_seen_at timestamptz NOT NULL
);

CREATE TABLE sync_run (
  id              bigserial PRIMARY KEY,
  connection      text NOT NULL,
  objects         text[] NOT NULL,
  -- sorted, comma-joined object types: two triggers for the same set coalesce whatever their order
  objects_key     text NOT NULL,
  mode            text NOT NULL CHECK (mode IN ('full', 'incremental')),
  -- projection of sync_event, updated in the same transaction as each event
  status          text NOT NULL CHECK (status IN ('pending', 'processing', 'retrying', 'completed',
                                                  'partially_completed', 'failed', 'cancelled')),
  current_object  text,
  phase           text NOT NULL DEFAULT 'queued',
  last_error      text,
  created_at      timestamptz NOT NULL,
  started_at      timestamptz,
  finished_at     timestamptz,
  last_event_seq  bigint NOT NULL DEFAULT 0
);

-- At most one active run per connection and object set: the trigger's INSERT … ON CONFLICT DO NOTHING
-- against this index is what makes concurrent triggers coalesce.
CREATE UNIQUE INDEX sync_run_active_uq ON sync_run (connection, objects_key)
  WHERE status IN ('pending', 'processing', 'retrying');
CREATE INDEX sync_run_connection_idx ON sync_run (connection, id DESC);
CREATE INDEX sync_run_status_idx ON sync_run (status, id DESC);

CREATE TABLE sync_stream (
  run_id            bigint NOT NULL REFERENCES sync_run (id) ON DELETE CASCADE,
  object_type       text NOT NULL,
  ordinal           int NOT NULL,
  status            text NOT NULL CHECK (status IN ('pending', 'processing', 'retrying', 'completed',
                                                    'failed', 'cancelled')),
  -- bumped by each resume, so page jobs of an earlier generation are recognised as stale
  generation        int NOT NULL DEFAULT 0,
  checkpoint        text,
  pages_committed   bigint NOT NULL DEFAULT 0,
  fetched           bigint NOT NULL DEFAULT 0,
  created           bigint NOT NULL DEFAULT 0,
  updated           bigint NOT NULL DEFAULT 0,
  unchanged         bigint NOT NULL DEFAULT 0,
  archived          bigint NOT NULL DEFAULT 0,
  failed            bigint NOT NULL DEFAULT 0,
  requests          bigint NOT NULL DEFAULT 0,
  position          text,
  estimated_total   bigint,
  incremental_since timestamptz,
  started_at        timestamptz,
  finished_at       timestamptz,
  last_error        text,
  PRIMARY KEY (run_id, object_type)
);
CREATE INDEX sync_stream_completed_idx ON sync_stream (object_type, started_at) WHERE status = 'completed';

-- Append-only: rows are only ever inserted.
CREATE TABLE sync_event (
  seq     bigserial PRIMARY KEY,
  run_id  bigint NOT NULL REFERENCES sync_run (id) ON DELETE CASCADE,
  stream  text,
  type    text NOT NULL,
  payload jsonb NOT NULL DEFAULT '{}'::jsonb,
  at      timestamptz NOT NULL
);
CREATE INDEX sync_event_run_idx ON sync_event (run_id, seq);

-- The mirror: one row per source record, rewritten only when its content hash changes.
CREATE TABLE record (
  connection        text NOT NULL,
  object_type       text NOT NULL,
  external_id       text NOT NULL,
  properties        jsonb NOT NULL,
  associations      jsonb NOT NULL,
  archived          boolean NOT NULL,
  source_updated_at timestamptz,
  content_hash      text NOT NULL,
  first_seen_run    bigint NOT NULL,
  last_changed_run  bigint NOT NULL,
  synced_at         timestamptz NOT NULL,
  CONSTRAINT record_key UNIQUE (connection, object_type, external_id)
);
CREATE INDEX record_updated_idx ON record (connection, object_type, source_updated_at);

-- Which page created or changed which record (only creations and changes: unchanged rows are not logged).
CREATE TABLE record_change (
  connection          text NOT NULL,
  object_type         text NOT NULL,
  external_id         text NOT NULL,
  run_id              bigint NOT NULL,
  event_seq           bigint NOT NULL,
  page                bigint NOT NULL,
  kind                text NOT NULL CHECK (kind IN ('created', 'updated', 'archived')),
  changed_properties  text[] NOT NULL,
  at                  timestamptz NOT NULL
);
CREATE INDEX record_change_record_idx ON record_change (connection, object_type, external_id, event_seq);
CREATE INDEX record_change_run_idx ON record_change (run_id);

-- Lenient casts for the typed views: a value the source sends in an unexpected shape reads as NULL
-- instead of making every query on the view fail.
CREATE FUNCTION mirror_numeric(v text) RETURNS numeric LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF v IS NULL OR v = '' THEN RETURN NULL; END IF;
  RETURN v::numeric;
EXCEPTION WHEN others THEN
  RETURN NULL;
END $$;

-- HubSpot sends datetimes as ISO-8601 strings, date properties sometimes as epoch milliseconds.
CREATE FUNCTION mirror_timestamptz(v text) RETURNS timestamptz LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF v IS NULL OR v = '' THEN RETURN NULL; END IF;
  IF v ~ '^-?[0-9]+$' THEN RETURN to_timestamp(v::numeric / 1000); END IF;
  RETURN v::timestamptz;
EXCEPTION WHEN others THEN
  RETURN NULL;
END $$;

CREATE VIEW hubspot_contacts AS
SELECT r.connection,
       r.external_id                              AS id,
       r.properties ->> 'email'                   AS email,
       r.properties ->> 'firstname'               AS firstname,
       r.properties ->> 'lastname'                AS lastname,
       r.properties ->> 'lifecyclestage'          AS lifecyclestage,
       r.source_updated_at                        AS updated_at,
       r.archived,
       r.properties,
       r.associations
FROM record r JOIN sync_connection c ON c.name = r.connection AND c.platform = 'hubspot'
WHERE r.object_type = 'contacts';

CREATE VIEW hubspot_companies AS
SELECT r.connection,
       r.external_id                              AS id,
       r.properties ->> 'name'                    AS name,
       r.properties ->> 'domain'                  AS domain,
       r.source_updated_at                        AS updated_at,
       r.archived,
       r.properties,
       r.associations
FROM record r JOIN sync_connection c ON c.name = r.connection AND c.platform = 'hubspot'
WHERE r.object_type = 'companies';

CREATE VIEW hubspot_deals AS
SELECT r.connection,
       r.external_id                                      AS id,
       r.properties ->> 'dealname'                        AS dealname,
       mirror_numeric(r.properties ->> 'amount')          AS amount,
       r.properties ->> 'dealstage'                       AS dealstage,
       r.properties ->> 'pipeline'                        AS pipeline,
       mirror_timestamptz(r.properties ->> 'closedate')   AS closedate,
       r.source_updated_at                                AS updated_at,
       r.archived,
       r.properties,
       r.associations
FROM record r JOIN sync_connection c ON c.name = r.connection AND c.platform = 'hubspot'
WHERE r.object_type = 'deals';

CREATE VIEW hubspot_tickets AS
SELECT r.connection,
       r.external_id                              AS id,
       r.properties ->> 'subject'                 AS subject,
       r.properties ->> 'hs_pipeline_stage'       AS hs_pipeline_stage,
       r.source_updated_at                        AS updated_at,
       r.archived,
       r.properties,
       r.associations
FROM record r JOIN sync_connection c ON c.name = r.connection AND c.platform = 'hubspot'
WHERE r.object_type = 'tickets';
