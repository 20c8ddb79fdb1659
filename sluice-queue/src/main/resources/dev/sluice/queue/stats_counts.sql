SELECT kind, state, count(*) FROM ${schema}.job GROUP BY kind, state
UNION ALL
SELECT kind, state, count(*) FROM ${schema}.job_dead GROUP BY kind, state
UNION ALL
-- completed and shadowed: only the kinds array of each batch is read (not the view, which unnests them all)
SELECT k.kind, b.state, count(*) FROM ${schema}.job_finished_batch b, unnest(b.kinds) AS k(kind) GROUP BY k.kind, b.state
