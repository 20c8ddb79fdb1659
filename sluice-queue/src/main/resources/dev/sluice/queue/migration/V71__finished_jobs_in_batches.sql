-- Completed and shadowed jobs are stored one row per completion batch (job_finished_batch), the
-- batch's jobs in parallel arrays, instead of one row per job: a row per job cost a heap insert,
-- its WAL record (~150 bytes per job, about a quarter of a no-op job's WAL) and a BRIN update per
-- job; a batch row costs one insert, its arrays compressed by TOAST. job_finished is now a view
-- that unnests the batches, so readers keep their queries; finding one job by id goes through the
-- batch's id range (GiST on int8range(first_id, last_id)): find.sql and the sync's stalled-stream
-- query filter on it. Partitioned by day as before (retention drops a day); the partitions are
-- job_finished_batch_YYYYMMDD and job_finished_batch_default.
CREATE TABLE job_finished_batch (
  finished_at      timestamptz   NOT NULL,
  state            text          NOT NULL CHECK (state IN ('completed', 'shadowed')),
  worker_id        text,
  first_id         bigint        NOT NULL,
  last_id          bigint        NOT NULL,
  ids              bigint[]      NOT NULL,
  kinds            text[]        NOT NULL,
  priorities       integer[]     NOT NULL,
  attempts         integer[]     NOT NULL,
  max_attempts     integer[]     NOT NULL,
  created_at       timestamptz[] NOT NULL,
  started_at       timestamptz[],
  dedupe_keys      text[],
  concurrency_keys text[],
  last_errors      text[],
  progress         jsonb[]
) PARTITION BY RANGE (finished_at);
CREATE TABLE job_finished_batch_default PARTITION OF job_finished_batch DEFAULT;
CREATE INDEX job_finished_batch_ids_idx ON job_finished_batch USING gist (int8range(first_id, last_id, '[]'));

-- The rows of the table this replaces, a batch per (finish instant, state, worker, 1,000 ids).
INSERT INTO job_finished_batch (finished_at, state, worker_id, first_id, last_id, ids, kinds, priorities, attempts,
                                max_attempts, created_at, started_at, dedupe_keys, concurrency_keys, last_errors, progress)
SELECT finished_at, state, worker_id, min(id), max(id), array_agg(id ORDER BY id), array_agg(kind ORDER BY id),
       array_agg(priority ORDER BY id), array_agg(attempt ORDER BY id), array_agg(max_attempts ORDER BY id),
       array_agg(created_at ORDER BY id), array_agg(started_at ORDER BY id), array_agg(dedupe_key ORDER BY id),
       array_agg(concurrency_key ORDER BY id), array_agg(last_error ORDER BY id), array_agg(progress ORDER BY id)
FROM job_finished
GROUP BY finished_at, state, worker_id, id / 1000;

DROP TABLE job_finished;

-- One row per finished job, as the table was. Arrays left NULL (no job of the batch had a value) unnest as NULLs.
-- batch_first_id and batch_last_id are the job's batch's id range: to find a job by id, also say
-- int8range(batch_first_id, batch_last_id, '[]') @> <id>, which the planner pushes down to the GiST index
-- (a condition on id alone must unnest every batch).
CREATE VIEW job_finished AS
SELECT u.id, u.kind, b.state, u.priority, u.attempt, u.max_attempts, u.dedupe_key, u.concurrency_key, u.last_error,
       u.progress, b.worker_id, u.created_at, u.started_at, b.finished_at, b.first_id AS batch_first_id,
       b.last_id AS batch_last_id
FROM job_finished_batch b,
     unnest(b.ids, b.kinds, b.priorities, b.attempts, b.max_attempts, b.dedupe_keys, b.concurrency_keys, b.last_errors,
            b.progress, b.created_at, b.started_at)
       AS u(id, kind, priority, attempt, max_attempts, dedupe_key, concurrency_key, last_error, progress, created_at,
            started_at);

-- A row inserted into the view (a job recorded as shadowed) becomes a batch of one.
CREATE FUNCTION job_finished_insert() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
  INSERT INTO job_finished_batch (finished_at, state, worker_id, first_id, last_id, ids, kinds, priorities, attempts,
                                  max_attempts, created_at, started_at, dedupe_keys, concurrency_keys, last_errors,
                                  progress)
  VALUES (NEW.finished_at, NEW.state, NEW.worker_id, NEW.id, NEW.id, ARRAY[NEW.id], ARRAY[NEW.kind], ARRAY[NEW.priority],
          ARRAY[NEW.attempt], ARRAY[NEW.max_attempts], ARRAY[NEW.created_at], ARRAY[NEW.started_at],
          ARRAY[NEW.dedupe_key], ARRAY[NEW.concurrency_key], ARRAY[NEW.last_error], ARRAY[NEW.progress]);
  RETURN NEW;
END $$;
CREATE TRIGGER job_finished_insert INSTEAD OF INSERT ON job_finished FOR EACH ROW EXECUTE FUNCTION job_finished_insert();

-- The day partitions, as V10/V30 made them for job_finished, now for job_finished_batch (same
-- contract: ensure answers whether it made the partition, drop_before how many it dropped, waiting at
-- most lock_timeout for each and leaving one in use for a later pass).
CREATE OR REPLACE FUNCTION job_finished_ensure_day(day date) RETURNS boolean LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
DECLARE
  bounds tstzrange := tstzrange(day::timestamp AT TIME ZONE 'UTC', (day + 1)::timestamp AT TIME ZONE 'UTC');
  part text := format('job_finished_batch_%s', to_char(day, 'YYYYMMDD'));
BEGIN
  IF to_regclass(format('%I.%I', current_schema(), part)) IS NOT NULL
     OR EXISTS (SELECT 1 FROM job_finished_batch_default WHERE finished_at <@ bounds) THEN
    RETURN false;
  END IF;
  EXECUTE format('CREATE TABLE %1$I.%2$I PARTITION OF %1$I.job_finished_batch FOR VALUES FROM (%3$L) TO (%4$L)',
                 current_schema(), part, lower(bounds), upper(bounds));
  RETURN true;
EXCEPTION WHEN duplicate_table OR check_violation OR invalid_object_definition THEN
  RETURN false;
END $$;

CREATE OR REPLACE FUNCTION job_finished_drop_before(before timestamptz) RETURNS integer LANGUAGE plpgsql
SET search_path FROM CURRENT
SET lock_timeout = '2s' AS $$
DECLARE
  part text;
  dropped integer := 0;
BEGIN
  FOR part IN
    SELECT c.relname
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'job_finished_batch'::regclass AND c.relname ~ '^job_finished_batch_[0-9]{8}$'
      AND (to_date(right(c.relname, 8), 'YYYYMMDD') + 1)::timestamp AT TIME ZONE 'UTC' <= before
  LOOP
    BEGIN
      EXECUTE format('DROP TABLE IF EXISTS %I.%I', current_schema(), part);
      dropped := dropped + 1;
    EXCEPTION WHEN lock_not_available THEN
      RAISE NOTICE 'finished-jobs partition % is in use; dropped on a later pass', part;
    END;
  END LOOP;
  RETURN dropped;
END $$;
