-- The queue's second design (docs/queue.md, "Tables"): the hot table `job` holds only waiting and
-- running jobs; a claim batch gets one lease row (`job_lease`), which is the fence every outcome,
-- heartbeat and progress write must match; finished jobs leave the hot table with
-- DELETE ... RETURNING into `job_finished` (completed, shadowed: narrow, partitioned by day) or
-- `job_dead` (dead, cancelled: whole rows, retryable); dedupe keys live in `job_dedupe` per
-- (kind, key) with their own expiry.

-- Leases: one row per claim batch. The id is a random UUID made by the claiming worker (never a
-- sequence, which an asynchronous-commit crash could rewind and hand out twice).
CREATE TABLE job_lease (
  lease        uuid PRIMARY KEY,
  worker_id    text        NOT NULL,
  claimed_at   timestamptz NOT NULL,
  heartbeat_at timestamptz NOT NULL
) WITH (fillfactor = 50);
ALTER TABLE job_lease SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_cost_delay = 0);

-- Dead and cancelled jobs: whole rows, so that an operator can read and retry them.
CREATE TABLE job_dead (
  id               bigint PRIMARY KEY,
  kind             text        NOT NULL,
  payload          jsonb       NOT NULL,
  state            text        NOT NULL CHECK (state IN ('dead', 'cancelled')),
  priority         integer     NOT NULL,
  run_at           timestamptz NOT NULL,
  attempt          integer     NOT NULL,
  max_attempts     integer     NOT NULL,
  dedupe_key       text,
  concurrency_key  text,
  last_error       text,
  last_error_stack text,
  progress         jsonb,
  worker_id        text,
  timeout_ms       bigint,
  created_at       timestamptz NOT NULL,
  started_at       timestamptz,
  finished_at      timestamptz NOT NULL
);
CREATE INDEX job_dead_kind_idx ON job_dead (kind, id);
CREATE INDEX job_dead_finished_idx ON job_dead (finished_at);

-- Completed and shadowed jobs: narrow and append-only, partitioned by the day they finished;
-- retention drops whole day partitions (the cleaner creates them ahead). Rows of a day without a
-- partition land in the default one, which the cleaner empties by DELETE.
CREATE TABLE job_finished (
  id              bigint      NOT NULL,
  kind            text        NOT NULL,
  state           text        NOT NULL CHECK (state IN ('completed', 'shadowed')),
  priority        integer     NOT NULL,
  attempt         integer     NOT NULL,
  max_attempts    integer     NOT NULL,
  dedupe_key      text,
  concurrency_key text,
  last_error      text,
  progress        jsonb,
  worker_id       text,
  created_at      timestamptz NOT NULL,
  started_at      timestamptz,
  finished_at     timestamptz NOT NULL
) PARTITION BY RANGE (finished_at);
CREATE TABLE job_finished_default PARTITION OF job_finished DEFAULT;
-- Finished rows arrive in about id order: a BRIN index finds one by id without an index entry per row.
CREATE INDEX job_finished_id_idx ON job_finished USING brin (id) WITH (pages_per_range = 16);

-- Dedupe keys: unique per (kind, key) until they expire (per kind, default 7 days), whatever
-- happens to the job meanwhile.
CREATE TABLE job_dedupe (
  kind       text        NOT NULL,
  dedupe_key text        NOT NULL,
  job_id     bigint      NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (kind, dedupe_key)
);
CREATE INDEX job_dedupe_expires_idx ON job_dedupe (expires_at);
ALTER TABLE job_kind ADD COLUMN dedupe_window_ms bigint CHECK (dedupe_window_ms > 0);

-- Move what the first design kept in the hot table.
INSERT INTO job_dedupe (kind, dedupe_key, job_id, expires_at)
SELECT kind, dedupe_key, id, coalesce(finished_at, created_at) + interval '7 days'
FROM job WHERE dedupe_key IS NOT NULL
ON CONFLICT DO NOTHING;

INSERT INTO job_finished (id, kind, state, priority, attempt, max_attempts, dedupe_key, concurrency_key,
                          last_error, progress, worker_id, created_at, started_at, finished_at)
SELECT id, kind, state, priority, attempt, max_attempts, dedupe_key, concurrency_key, last_error, progress, worker_id,
       created_at, started_at, coalesce(finished_at, created_at)
FROM job WHERE state IN ('completed', 'shadowed');

INSERT INTO job_dead (id, kind, payload, state, priority, run_at, attempt, max_attempts, dedupe_key, concurrency_key,
                      last_error, last_error_stack, progress, worker_id, timeout_ms, created_at, started_at, finished_at)
SELECT id, kind, payload, state, priority, run_at, attempt, max_attempts, dedupe_key, concurrency_key,
       last_error, last_error_stack, progress, worker_id, timeout_ms, created_at, started_at, coalesce(finished_at, created_at)
FROM job WHERE state IN ('dead', 'cancelled');

DELETE FROM job WHERE state NOT IN ('ready', 'retryable', 'running');

-- Running jobs of the first design get a lease each (their worker's outcomes will no longer match:
-- they are rescued and run again, at least once as always).
ALTER TABLE job ADD COLUMN lease uuid;
ALTER TABLE job ADD COLUMN cancel_requested_at timestamptz;
INSERT INTO job_lease (lease, worker_id, claimed_at, heartbeat_at)
SELECT gen_random_uuid(), coalesce(worker_id, '?'), coalesce(started_at, created_at), coalesce(heartbeat_at, created_at)
FROM job WHERE state = 'running';
UPDATE job j SET lease = l.lease
FROM (SELECT lease, row_number() OVER () AS n FROM job_lease) l,
     (SELECT id, row_number() OVER () AS n FROM job WHERE state = 'running') r
WHERE j.id = r.id AND l.n = r.n;

DROP INDEX job_dedupe_key_idx;
DROP INDEX job_finished_idx;
DROP INDEX job_dead_idx;
ALTER TABLE job DROP COLUMN worker_id, DROP COLUMN heartbeat_at, DROP COLUMN finished_at;
ALTER TABLE job DROP CONSTRAINT job_state_check;
ALTER TABLE job ADD CONSTRAINT job_state_check CHECK (state IN ('ready', 'retryable', 'running'));
ALTER TABLE job ADD CONSTRAINT job_lease_check CHECK ((state = 'running') = (lease IS NOT NULL));

-- Claims read one kind at a time (kinds the worker does not handle, or that are paused, are never
-- read); capped kinds with concurrency keys read key by key.
DROP INDEX job_claim_idx;
CREATE INDEX job_claim_idx ON job (kind, priority, run_at, id) WHERE state IN ('ready', 'retryable');
CREATE INDEX job_claim_key_idx ON job (kind, concurrency_key, priority, run_at, id)
  WHERE state IN ('ready', 'retryable') AND concurrency_key IS NOT NULL;
-- Running jobs by lease (heartbeats read a lease's jobs, the rescuer its stale ones); caps count
-- a kind's running jobs from the same small index.
DROP INDEX job_running_idx;
CREATE INDEX job_running_idx ON job (lease, kind, concurrency_key) WHERE state = 'running';
-- Room on the page for the claim's new row version (claims and snoozes update in place).
ALTER TABLE job SET (fillfactor = 70);

-- Day partitions of job_finished (UTC days), made and dropped by the cleaner on the queue's clock.
-- A day whose rows already sit in the default partition gets no partition of its own (creating it
-- would fail); those rows leave by the cleaner's DELETE.
CREATE FUNCTION job_finished_ensure_day(day date) RETURNS boolean LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
DECLARE
  part text := 'job_finished_' || to_char(day, 'YYYYMMDD');
  lo timestamptz := day::timestamp AT TIME ZONE 'UTC';
  hi timestamptz := (day + 1)::timestamp AT TIME ZONE 'UTC';
BEGIN
  IF to_regclass(quote_ident(current_schema()) || '.' || quote_ident(part)) IS NOT NULL THEN
    RETURN false;
  END IF;
  IF EXISTS (SELECT 1 FROM job_finished_default WHERE finished_at >= lo AND finished_at < hi) THEN
    RETURN false;
  END IF;
  EXECUTE format('CREATE TABLE %I.%I PARTITION OF %I.job_finished FOR VALUES FROM (%L) TO (%L)',
                 current_schema(), part, current_schema(), lo, hi);
  RETURN true;
EXCEPTION WHEN duplicate_table OR check_violation OR invalid_object_definition THEN
  RETURN false;
END $$;

-- Drops the day partitions that end at or before the given instant; returns how many.
CREATE FUNCTION job_finished_drop_before(before timestamptz) RETURNS integer LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
DECLARE
  p record;
  n integer := 0;
BEGIN
  FOR p IN
    SELECT c.relname
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'job_finished'::regclass AND c.relname ~ '^job_finished_[0-9]{8}$'
  LOOP
    IF (to_date(right(p.relname, 8), 'YYYYMMDD') + 1)::timestamp AT TIME ZONE 'UTC' <= before THEN
      EXECUTE format('DROP TABLE %I.%I', current_schema(), p.relname);
      n := n + 1;
    END IF;
  END LOOP;
  RETURN n;
END $$;
