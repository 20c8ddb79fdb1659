-- The batch number of the job the run's work belongs to now (see hand_on_run).
SELECT job_batch FROM ${schema}.pipeline_run WHERE id = :run
