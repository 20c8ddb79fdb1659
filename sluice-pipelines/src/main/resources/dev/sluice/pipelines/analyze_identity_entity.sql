-- Fresh planner statistics of the identity entities (PipelineStatistics): a sample, not a scan, of the
-- columns the pipeline's statements look up and join on.
ANALYZE ${schema}.identity_entity (id, match_key)
