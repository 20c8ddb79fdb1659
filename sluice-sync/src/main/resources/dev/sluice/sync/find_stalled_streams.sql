-- Active streams whose expected page job is gone or finished without moving the stream on: dead after
-- its attempts ran out through crashes, cancelled by an operator, or removed. Joins the queue's job
-- table (same schema) on the page job's dedupe key, which names the page the stream expects next.
SELECT s.run_id, s.object_type, s.pages_committed, j.state, j.last_error
FROM ${schema}.sync_stream s
JOIN ${schema}.sync_run r ON r.id = s.run_id
LEFT JOIN ${schema}.job j ON j.dedupe_key = 'sync:' || s.run_id || ':' || s.object_type || ':' || s.pages_committed
    || CASE WHEN s.generation > 0 THEN ':resume' || s.generation ELSE '' END
WHERE s.status IN ('pending', 'processing', 'retrying')
  AND r.status IN ('pending', 'processing', 'retrying')
  AND (j.id IS NULL OR j.state IN ('dead', 'cancelled', 'completed'))
ORDER BY s.run_id, s.object_type
