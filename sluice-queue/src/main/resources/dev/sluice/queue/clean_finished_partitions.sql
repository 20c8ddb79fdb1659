-- Retention of completed and shadowed jobs: drops the day partitions that ended before :before.
SELECT ${schema}.job_finished_drop_before(:before)
