UPDATE ${schema}.pipeline_run
SET status = 'failed', last_error = :error, finished_at = :now
WHERE id = :run AND status IN ('pending', 'processing') AND generation = :generation
