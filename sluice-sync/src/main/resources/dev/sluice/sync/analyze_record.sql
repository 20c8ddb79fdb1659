-- Fresh planner statistics for the mirror (PageJobHandler's TableStatistics): a sample of the table, not a scan.
ANALYZE ${schema}.record
