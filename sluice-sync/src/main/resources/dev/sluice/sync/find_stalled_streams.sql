-- Active streams whose expected page job is gone or finished without moving the stream on: dead after
-- its attempts ran out through crashes, cancelled by an operator, or removed. Finds the page job
-- through the queue's dedupe keys (same schema; page jobs are of kind 'sync-page',
-- SyncEngine.PAGE_JOB_KIND, keyed by the page the stream expects next), then its state in whichever
-- queue table holds it (waiting/running, dead/cancelled, or completed).
SELECT s.run_id, s.object_type, s.pages_committed, j.state, j.last_error
FROM ${schema}.sync_stream s
JOIN ${schema}.sync_run r ON r.id = s.run_id
LEFT JOIN ${schema}.job_dedupe d
  ON d.kind = 'sync-page'
 AND d.dedupe_key = 'sync:' || s.run_id || ':' || s.object_type || ':' || s.pages_committed
     || CASE WHEN s.generation > 0 THEN ':resume' || s.generation ELSE '' END
LEFT JOIN LATERAL (
  (SELECT state, last_error FROM ${schema}.job WHERE id = d.job_id)
  UNION ALL
  (SELECT state, last_error FROM ${schema}.job_dead WHERE id = d.job_id)
  UNION ALL
  (SELECT state, last_error FROM ${schema}.job_finished
   WHERE id = d.job_id AND int8range(batch_first_id, batch_last_id, '[]') @> d.job_id)
  LIMIT 1
) j ON true
WHERE s.status IN ('pending', 'processing', 'retrying')
  AND r.status IN ('pending', 'processing', 'retrying')
  AND (j.state IS NULL OR j.state IN ('dead', 'cancelled', 'completed'))
ORDER BY s.run_id, s.object_type
