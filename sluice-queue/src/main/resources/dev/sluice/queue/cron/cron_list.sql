-- Every schedule, by name. :name NULL = all.
SELECT name, expression, zone, job::text AS job, last_tick, created_at, updated_at
FROM ${schema}.cron_schedule
WHERE :name::text IS NULL OR name = :name
ORDER BY name
