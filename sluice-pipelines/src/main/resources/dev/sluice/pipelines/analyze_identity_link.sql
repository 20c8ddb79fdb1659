-- Fresh planner statistics of the identity links (PipelineStatistics): a sample of the columns the
-- pipeline's statements filter and join on. While they still describe the table as it was before a
-- push, the batch's identity links (select_links.sql) are planned as a read of every link of both sides.
ANALYZE ${schema}.identity_link (entity_id, connection, object_type, external_id)
