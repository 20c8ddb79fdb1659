-- One batch of the record changes written outside any run (webhook refreshes, run id 0) before the
-- cutoff; record_change_run_idx finds run 0.
DELETE FROM ${schema}.record_change WHERE ctid = ANY (ARRAY(
  SELECT c.ctid
  FROM ${schema}.record_change c
  WHERE c.run_id = 0 AND c.at < ?
  LIMIT ?))
