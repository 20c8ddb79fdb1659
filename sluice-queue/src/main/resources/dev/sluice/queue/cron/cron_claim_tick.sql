-- Claims one tick of a schedule for this process: moves last_tick forward only from the value the
-- caller read. A concurrent claimer waits for the row lock, then re-checks the WHERE against the
-- committed row and updates nothing, so exactly one process turns a tick into a job (the job is
-- enqueued in the same transaction).
UPDATE ${schema}.cron_schedule
SET last_tick = :tick
WHERE name = :name AND last_tick = :expected AND last_tick < :tick
