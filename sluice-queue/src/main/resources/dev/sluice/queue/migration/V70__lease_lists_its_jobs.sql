-- A lease row lists the jobs its claim took (job_ids) and their kinds (kinds), so that nothing has to
-- index running jobs: a heartbeat, the rescuer and a cap count read a lease's jobs by primary key
-- (j.id = ANY(l.job_ids) AND j.lease = l.lease AND j.state = 'running': a job listed by an older
-- lease and claimed again since matches only its current lease). Dropping job_running_idx saves one
-- B-tree entry per claimed job (~97 bytes of WAL and its insert CPU; docs/benchmarks.md).
ALTER TABLE job_lease ADD COLUMN job_ids bigint[] NOT NULL DEFAULT '{}',
                      ADD COLUMN kinds   text[]   NOT NULL DEFAULT '{}';
UPDATE job_lease l
SET job_ids = ARRAY(SELECT j.id FROM job j WHERE j.lease = l.lease AND j.state = 'running' ORDER BY j.id),
    kinds = ARRAY(SELECT DISTINCT j.kind FROM job j WHERE j.lease = l.lease AND j.state = 'running');
DROP INDEX job_running_idx;

-- Room on the page for every claimed row's new version. A claim updates every waiting row of a page it
-- reads, and the new version is larger (lease, started_at); at fillfactor 70 about 60 % of them did
-- not fit, went to another page and cost an extra WAL record each (the old version's lock while the
-- new page is found) and the whole new tuple instead of its changed middle (pg_walinspect of a
-- 1,000-job claim: 3,650 records, 330 kB at 70; 3,000 records, 264 kB at 40, all on the page).
ALTER TABLE job SET (fillfactor = 40);
