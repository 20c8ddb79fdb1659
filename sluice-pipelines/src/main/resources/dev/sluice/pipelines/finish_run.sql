UPDATE ${schema}.pipeline_run
SET status = CASE WHEN failed > 0 THEN 'partially_completed' ELSE 'completed' END,
    started_at = COALESCE(started_at, :now),
    finished_at = :now
WHERE id = :run AND status IN ('pending', 'processing') AND generation = :generation AND batches_committed = :batch
