-- Fresh planner statistics for the mirror (see MirrorStatistics): a sample of the table, not a scan.
ANALYZE ${schema}.record
