-- Fresh planner statistics for the tables a push grows (BatchJobHandler's TableStatistics): a sample of
-- each, not a scan. While they still describe the tables as they were before the push, the batch's
-- identity links (select_links.sql) are planned as a read of every link of both sides.
ANALYZE ${schema}.identity_entity, ${schema}.identity_link, ${schema}.pipeline_record, ${schema}.pipeline_written
