-- The table of the one-job-per-claim loop (the shape of seed 003): one row per job, a partial
-- index on the ready rows in claim order.
CREATE TABLE loop_job (
  id          bigserial PRIMARY KEY,
  kind        text        NOT NULL,
  payload     jsonb       NOT NULL,
  run_at      timestamptz NOT NULL DEFAULT now(),
  attempts    integer     NOT NULL DEFAULT 0,
  state       text        NOT NULL DEFAULT 'ready',
  last_error  text,
  dedupe_key  text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (kind, dedupe_key)
);
CREATE INDEX loop_job_ready ON loop_job (run_at) WHERE state = 'ready';
