-- One batch of the record changes written by runs that finished before the cutoff
-- (record_change_run_idx serves the join; the table has no key of its own, so rows go by ctid).
DELETE FROM ${schema}.record_change WHERE ctid = ANY (ARRAY(
  SELECT c.ctid
  FROM ${schema}.sync_run r JOIN ${schema}.record_change c ON c.run_id = r.id
  WHERE r.finished_at < ? AND r.status NOT IN ('pending', 'processing', 'retrying')
  LIMIT ?))
