SELECT id FROM ${schema}.sync_run
WHERE connection = ? AND objects_key = ? AND status IN ('pending', 'processing', 'retrying')
