SELECT id FROM ${schema}.pipeline_run
WHERE pipeline = :pipeline AND status IN ('pending', 'processing')
