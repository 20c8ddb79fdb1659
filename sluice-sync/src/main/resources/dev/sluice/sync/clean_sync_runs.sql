-- One batch of runs that finished before the cutoff, with their streams (and any events left:
-- ON DELETE CASCADE). A run holding the newest completed read of a (connection, object type) stays:
-- the next incremental run of that object starts where that read started
-- (last_completed_stream_start.sql).
DELETE FROM ${schema}.sync_run WHERE id IN (
  SELECT r.id
  FROM ${schema}.sync_run r
  WHERE r.finished_at < ? AND r.status NOT IN ('pending', 'processing', 'retrying')
    AND NOT EXISTS (
      SELECT 1 FROM ${schema}.sync_stream s
      WHERE s.run_id = r.id AND s.status = 'completed'
        AND NOT EXISTS (
          SELECT 1 FROM ${schema}.sync_stream s2 JOIN ${schema}.sync_run r2 ON r2.id = s2.run_id
          WHERE r2.connection = r.connection AND s2.object_type = s.object_type
            AND s2.status = 'completed' AND s2.started_at > s.started_at))
  ORDER BY r.id
  LIMIT ?)
