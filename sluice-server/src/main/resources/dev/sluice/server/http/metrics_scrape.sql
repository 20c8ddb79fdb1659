-- Everything /metrics reads from PostgreSQL, in one statement (MetricsEndpoint caches the page).
-- Each part reads a small table or the hot job table (waiting and running jobs only); finished jobs
-- (job_finished, which grows with throughput) are not counted. One row per sample:
--   metric, labels a/b/c, x, y, counts (the meaning of each per metric is in ClusterMetrics).
WITH hot AS (
  SELECT kind, state, count(*) AS n,
         min(run_at) FILTER (WHERE state IN ('ready', 'retryable') AND run_at <= :now::timestamptz) AS oldest
  FROM ${schema}.job
  GROUP BY kind, state
)
SELECT 'jobs' AS metric, kind AS a, state AS b, NULL::text AS c, n::float8 AS x, NULL::float8 AS y, NULL::bigint[] AS counts
FROM hot
UNION ALL
SELECT 'jobs', kind, state, NULL, count(*)::float8, NULL, NULL
FROM ${schema}.job_dead
GROUP BY kind, state
UNION ALL
SELECT 'oldest', kind, NULL, NULL, EXTRACT(EPOCH FROM (:now::timestamptz - min(oldest)))::float8, NULL, NULL
FROM hot
WHERE oldest IS NOT NULL
GROUP BY kind
UNION ALL
SELECT 'runs', status, NULL, NULL, count(*)::float8, NULL, NULL
FROM ${schema}.sync_run
WHERE status IN ('pending', 'processing', 'retrying')
GROUP BY status
UNION ALL
SELECT 'records', t.connection, t.object_type, o.outcome, o.n::float8, t.requests::float8, NULL
FROM ${schema}.sync_total t
CROSS JOIN LATERAL (VALUES ('fetched', t.fetched), ('created', t.created), ('updated', t.updated),
                           ('unchanged', t.unchanged), ('archived', t.archived), ('failed', t.failed)) AS o (outcome, n)
UNION ALL
SELECT 'run_duration', connection, status, NULL, seconds_sum, runs::float8, le_counts
FROM ${schema}.sync_run_total
UNION ALL
SELECT 'rate_limit', r.name, NULL, NULL, ${schema}.rate_limit_available(r, :now::timestamptz), r.capacity::float8, ARRAY[r.throttled_total]
FROM ${schema}.rate_limit r
