SELECT kind, state, count(*) FROM ${schema}.job GROUP BY kind, state
UNION ALL
SELECT kind, state, count(*) FROM ${schema}.job_dead GROUP BY kind, state
UNION ALL
SELECT kind, state, count(*) FROM ${schema}.job_finished GROUP BY kind, state
