-- Pipeline runs, their per-record results and event log, the last push per (pipeline, source record),
-- what Sluice last wrote to each destination record (echo suppression) and the identity links.
-- Runs in the engine's schema beside sync's tables; history table pipelines_schema_history.

CREATE TABLE pipeline_run (
  id                bigserial PRIMARY KEY,
  pipeline          text NOT NULL,
  status            text NOT NULL CHECK (status IN ('pending', 'processing', 'completed', 'partially_completed',
                                                    'failed', 'cancelled')),
  trigger           text NOT NULL,
  -- bumped by each resume, so batch jobs of an earlier generation are recognised as stale
  generation        int NOT NULL DEFAULT 0,
  -- keyset position: the last source external id this run has handled ('' before the first batch)
  position          text NOT NULL DEFAULT '',
  batches_committed bigint NOT NULL DEFAULT 0,
  selected          bigint NOT NULL DEFAULT 0,
  synced            bigint NOT NULL DEFAULT 0,
  failed            bigint NOT NULL DEFAULT 0,
  skipped           bigint NOT NULL DEFAULT 0,
  write_calls       bigint NOT NULL DEFAULT 0,
  last_error        text,
  created_at        timestamptz NOT NULL,
  started_at        timestamptz,
  finished_at       timestamptz,
  last_event_seq    bigint NOT NULL DEFAULT 0
);
-- At most one active run per pipeline: concurrent triggers coalesce on this index.
CREATE UNIQUE INDEX pipeline_run_active_uq ON pipeline_run (pipeline) WHERE status IN ('pending', 'processing');
CREATE INDEX pipeline_run_pipeline_idx ON pipeline_run (pipeline, id DESC);

-- Append-only.
CREATE TABLE pipeline_event (
  seq     bigserial PRIMARY KEY,
  run_id  bigint NOT NULL REFERENCES pipeline_run (id) ON DELETE CASCADE,
  type    text NOT NULL,
  payload jsonb NOT NULL DEFAULT '{}'::jsonb,
  at      timestamptz NOT NULL
);
CREATE INDEX pipeline_event_run_idx ON pipeline_event (run_id, seq);

-- One row per source record a run handled: synced, failed (with the destination's or the mapping's
-- error) or skipped (unchanged, echo, conflict lost, archived).
CREATE TABLE pipeline_result (
  run_id         bigint NOT NULL REFERENCES pipeline_run (id) ON DELETE CASCADE,
  source_id      text NOT NULL,
  batch          bigint NOT NULL,
  status         text NOT NULL CHECK (status IN ('synced', 'failed', 'skipped')),
  reason         text,
  destination_id text,
  error          text,
  at             timestamptz NOT NULL,
  PRIMARY KEY (run_id, source_id)
);
CREATE INDEX pipeline_result_status_idx ON pipeline_result (run_id, status);

-- The last push of each source record per pipeline. source_hash is the mirror content hash it was
-- computed from (null: push again next run); mapped holds the mapped values of that push, so the next
-- push sends only the fields whose mapped value changed.
CREATE TABLE pipeline_record (
  pipeline       text NOT NULL,
  source_id      text NOT NULL,
  source_hash    text,
  mapped         jsonb,
  status         text NOT NULL CHECK (status IN ('synced', 'failed', 'skipped')),
  destination_id text,
  error          text,
  run_id         bigint NOT NULL,
  pushed_at      timestamptz NOT NULL,
  PRIMARY KEY (pipeline, source_id)
);

-- What Sluice itself last wrote to each destination record, field by field (merged over writes):
-- a later change of that record whose values equal these is Sluice's own echo.
CREATE TABLE pipeline_written (
  connection  text NOT NULL,
  object_type text NOT NULL,
  external_id text NOT NULL,
  properties  jsonb NOT NULL,
  written_at  timestamptz NOT NULL,
  PRIMARY KEY (connection, object_type, external_id)
);

-- Identity: one entity per match key (normalized email by default), linked to its record in each
-- system. A record belongs to one entity; an entity with two records of one connection and object
-- type is a duplicate in that system, reported rather than written.
CREATE TABLE identity_entity (
  id         bigserial PRIMARY KEY,
  match_key  text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL
);

CREATE TABLE identity_link (
  entity_id   bigint NOT NULL REFERENCES identity_entity (id) ON DELETE CASCADE,
  connection  text NOT NULL,
  object_type text NOT NULL,
  external_id text NOT NULL,
  linked_at   timestamptz NOT NULL,
  PRIMARY KEY (connection, object_type, external_id)
);
CREATE INDEX identity_link_entity_idx ON identity_link (entity_id);
