-- Fresh planner statistics of the push states (PipelineStatistics), joined by select_changed.sql: a
-- sample of the key columns (the JSON of the mapped values would cost most of it and steer no plan).
ANALYZE ${schema}.pipeline_record (pipeline, source_id)
