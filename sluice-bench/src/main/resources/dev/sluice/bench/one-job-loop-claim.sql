-- One job per claim, locked for the rest of the worker's transaction.
SELECT id, payload FROM loop_job
WHERE state = 'ready' AND run_at <= now()
ORDER BY run_at
FOR UPDATE SKIP LOCKED
LIMIT 1
