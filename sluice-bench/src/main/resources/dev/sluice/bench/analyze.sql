-- Fresh planner statistics after the bulk pre-insert, the same for every contender.
ANALYZE
