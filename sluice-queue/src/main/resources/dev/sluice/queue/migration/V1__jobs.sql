-- The job queue. Runs in the queue's own schema (Flyway sets search_path to it).

CREATE TABLE job (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind              text        NOT NULL,
  payload           jsonb       NOT NULL DEFAULT '{}'::jsonb,
  state             text        NOT NULL DEFAULT 'ready'
                    CHECK (state IN ('ready', 'running', 'completed', 'retryable', 'dead', 'cancelled', 'shadowed')),
  priority          integer     NOT NULL DEFAULT 0,
  run_at            timestamptz NOT NULL,
  attempt           integer     NOT NULL DEFAULT 0 CHECK (attempt >= 0),
  max_attempts      integer     NOT NULL CHECK (max_attempts >= 1),
  dedupe_key        text,
  concurrency_key   text,
  last_error        text,
  last_error_stack  text,
  progress          jsonb,
  worker_id         text,
  heartbeat_at      timestamptz,
  timeout_ms        bigint CHECK (timeout_ms > 0),
  created_at        timestamptz NOT NULL,
  started_at        timestamptz,
  finished_at       timestamptz
);

-- The claim reads only runnable rows, in claim order; finished rows never enter this index,
-- so its size follows the backlog, not the table.
CREATE INDEX job_claim_idx ON job (priority, run_at, id) WHERE state IN ('ready', 'retryable');

-- Dedupe keys are unique while the row exists (the cleaner keeps such rows for the dedupe window).
CREATE UNIQUE INDEX job_dedupe_key_idx ON job (dedupe_key) WHERE dedupe_key IS NOT NULL;

-- Running rows: concurrency caps count them per kind and key; the rescuer scans them.
CREATE INDEX job_running_idx ON job (kind, concurrency_key) WHERE state = 'running';

-- Finished rows by age, for retention cleanup.
CREATE INDEX job_finished_idx ON job (finished_at) WHERE state IN ('completed', 'dead', 'cancelled', 'shadowed');

-- Dead-job admin (list / retry / cancel by kind) stays fast when the dead set is large.
CREATE INDEX job_dead_idx ON job (kind, id) WHERE state = 'dead';

-- The table is updated on every claim and completion: vacuum it early and often.
ALTER TABLE job SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.02,
                     autovacuum_vacuum_insert_scale_factor = 0.05, autovacuum_vacuum_cost_delay = 0);

-- Per-kind policy shared by every process.
CREATE TABLE job_kind (
  kind                text PRIMARY KEY,
  paused              boolean NOT NULL DEFAULT false,
  shadow              boolean NOT NULL DEFAULT false,
  max_running         integer CHECK (max_running >= 1),
  max_running_per_key integer CHECK (max_running_per_key >= 1),
  timeout_ms          bigint  CHECK (timeout_ms > 0),
  retry_base_ms       bigint  CHECK (retry_base_ms > 0),
  retry_max_ms        bigint  CHECK (retry_max_ms > 0),
  retry_jitter        double precision CHECK (retry_jitter BETWEEN 0 AND 1),
  retry_max_attempts  integer CHECK (retry_max_attempts >= 1),
  updated_at          timestamptz NOT NULL DEFAULT now()
);
