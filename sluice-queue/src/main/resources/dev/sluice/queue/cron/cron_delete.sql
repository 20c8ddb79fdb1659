DELETE FROM ${schema}.cron_schedule WHERE name = :name
