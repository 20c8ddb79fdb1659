SELECT source, state, count(*) FROM ${schema}.leads GROUP BY source, state ORDER BY source, state
