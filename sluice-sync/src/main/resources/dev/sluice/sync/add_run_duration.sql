-- One finished run: the last parameter is its histogram increment (1 for every bound it is within).
INSERT INTO ${schema}.sync_run_total AS t (connection, status, runs, seconds_sum, le_counts)
VALUES (?, ?, 1, ?, ?)
ON CONFLICT (connection, status) DO UPDATE SET
  runs = t.runs + 1,
  seconds_sum = t.seconds_sum + EXCLUDED.seconds_sum,
  le_counts = ARRAY(SELECT coalesce(a, 0) + coalesce(b, 0)
                    FROM unnest(t.le_counts, EXCLUDED.le_counts) WITH ORDINALITY AS u(a, b, i) ORDER BY i)
