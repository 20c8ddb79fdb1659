-- Creates a schedule, or changes an existing one's expression and job; last_tick is kept on a
-- change, so re-declaring a schedule at every start never fires a tick twice. A new schedule
-- starts at :now: ticks before its creation never fire.
INSERT INTO ${schema}.cron_schedule AS s (name, expression, zone, job, last_tick, created_at, updated_at)
VALUES (:name, :expression, :zone, :job::jsonb, :now, :now, :now)
ON CONFLICT (name) DO UPDATE SET
  expression = EXCLUDED.expression,
  zone = EXCLUDED.zone,
  job = EXCLUDED.job,
  updated_at = EXCLUDED.updated_at
