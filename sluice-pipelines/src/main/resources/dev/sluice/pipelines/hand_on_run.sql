-- Hands the run on from the job of batch :batch to the job of batch :next (enqueued in the same
-- transaction): only while the run is active, in this generation, and still that job's.
UPDATE ${schema}.pipeline_run
SET job_batch = :next
WHERE id = :run AND status IN ('pending', 'processing') AND generation = :generation AND job_batch = :batch
  AND batches_committed = :next
