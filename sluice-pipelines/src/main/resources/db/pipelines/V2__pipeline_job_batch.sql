-- The batch number of the one batch job a run's work belongs to now. A batch job commits several
-- batches one after the other, then hands the run on to a job for the next batch (this column and
-- that job change in one transaction); a repeat of an earlier job finds it is no longer the run's and
-- does nothing, so a run never has two job chains.
ALTER TABLE pipeline_run ADD COLUMN job_batch bigint NOT NULL DEFAULT 0;
UPDATE pipeline_run SET job_batch = batches_committed;
