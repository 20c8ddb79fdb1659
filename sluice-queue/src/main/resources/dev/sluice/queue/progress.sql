-- Progress of a running job, only under the lease its handler runs under (the lease match is the
-- state check: job_lease_check allows a lease only on a running job).
UPDATE ${schema}.job
SET progress = :progress::jsonb
WHERE id = :id AND lease = :lease
