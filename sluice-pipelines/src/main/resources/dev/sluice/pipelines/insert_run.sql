-- A new run, unless the pipeline already has an active one (the partial unique index decides).
INSERT INTO ${schema}.pipeline_run (pipeline, status, trigger, created_at)
VALUES (:pipeline, 'pending', :trigger, :now)
ON CONFLICT (pipeline) WHERE status IN ('pending', 'processing') DO NOTHING
RETURNING id
