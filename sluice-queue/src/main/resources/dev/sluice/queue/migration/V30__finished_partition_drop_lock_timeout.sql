-- Dropping a day partition takes an ACCESS EXCLUSIVE lock on job_finished: queued behind a long
-- reader it would block every completion behind it. Each drop now waits at most 2 s for its lock
-- (lock_timeout, scoped to this function); a partition it could not lock is left for the next
-- pass. IF EXISTS: two cleaners may race for the same partition.
CREATE OR REPLACE FUNCTION job_finished_drop_before(before timestamptz) RETURNS integer LANGUAGE plpgsql
SET search_path FROM CURRENT
SET lock_timeout = '2s' AS $$
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
      BEGIN
        EXECUTE format('DROP TABLE IF EXISTS %I.%I', current_schema(), p.relname);
        n := n + 1;
      EXCEPTION WHEN lock_not_available THEN
        RAISE NOTICE 'job_finished partition % is in use; dropped on a later pass', p.relname;
      END;
    END IF;
  END LOOP;
  RETURN n;
END $$;
