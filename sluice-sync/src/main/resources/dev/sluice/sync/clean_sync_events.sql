-- One batch of the events of runs that finished before the cutoff (sync_event_run_idx serves the join).
DELETE FROM ${schema}.sync_event WHERE seq IN (
  SELECT e.seq
  FROM ${schema}.sync_run r JOIN ${schema}.sync_event e ON e.run_id = r.id
  WHERE r.finished_at < ? AND r.status NOT IN ('pending', 'processing', 'retrying')
  LIMIT ?)
