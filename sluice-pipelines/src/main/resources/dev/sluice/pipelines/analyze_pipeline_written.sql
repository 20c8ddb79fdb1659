-- Fresh planner statistics of what Sluice last wrote (PipelineStatistics), joined by select_changed.sql
-- and select_links.sql: a sample of the key columns, not of the written JSON.
ANALYZE ${schema}.pipeline_written (connection, object_type, external_id)
