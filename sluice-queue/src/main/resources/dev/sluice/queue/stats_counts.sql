SELECT kind, state, count(*) FROM ${schema}.job GROUP BY kind, state
