UPDATE ${schema}.pipeline_run
SET status = 'cancelled', finished_at = :now
WHERE id = :run AND status IN ('pending', 'processing')
