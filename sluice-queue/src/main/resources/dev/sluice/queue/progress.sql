-- Progress of a running job, only under the lease its handler runs under. The state is named
-- through the MATERIALIZED "leaving" row (see complete_ok.sql): written as the literal, the planner
-- reads the running index by lease (every job of the claim batch) instead of the job by its id.
WITH leaving AS MATERIALIZED (
  SELECT 'running'::text AS state
)
UPDATE ${schema}.job j
SET progress = :progress::jsonb
FROM leaving
WHERE j.id = :id AND j.lease = :lease AND j.state = leaving.state
