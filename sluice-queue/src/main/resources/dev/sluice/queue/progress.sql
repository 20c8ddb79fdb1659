-- Progress of a running job, only under the lease its handler runs under.
UPDATE ${schema}.job
SET progress = :progress::jsonb
WHERE id = :id AND lease = :lease AND state = 'running'
