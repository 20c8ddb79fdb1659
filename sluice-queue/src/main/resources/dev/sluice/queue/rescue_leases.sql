-- Leases without a running job whose heartbeat is older than :before (their worker died after
-- its last job was rescued, or before it could release them). The NOT EXISTS is in the DELETE
-- itself, so a lease whose job is still running is never removed.
DELETE FROM ${schema}.job_lease l
WHERE l.heartbeat_at < :before
  AND NOT EXISTS (SELECT 1 FROM ${schema}.job j WHERE j.id = ANY(l.job_ids) AND j.lease = l.lease AND j.state = 'running')
