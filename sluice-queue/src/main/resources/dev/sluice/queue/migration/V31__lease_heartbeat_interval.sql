-- The claiming worker's heartbeat interval, per lease: the rescuer finds a lease stale only after
-- greatest(timeout, 3 x this interval), so a job or kind timeout below ~3 heartbeats cannot get a
-- healthy running job rescued (heartbeat_at is written with the worker's clock, compared with the
-- rescuer's). NULL (leases claimed before this column): the timeout alone, as before.
ALTER TABLE job_lease ADD COLUMN heartbeat_interval_ms bigint CHECK (heartbeat_interval_ms > 0);
