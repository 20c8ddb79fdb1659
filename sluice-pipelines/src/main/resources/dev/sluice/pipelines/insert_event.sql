-- Append-only event log; the run row keeps the last sequence number as its projection's version.
WITH e AS (
  INSERT INTO ${schema}.pipeline_event (run_id, type, payload, at)
  VALUES (:run, :type, CAST(:payload AS jsonb), :now)
  RETURNING seq
)
UPDATE ${schema}.pipeline_run r SET last_event_seq = e.seq FROM e WHERE r.id = :run
RETURNING e.seq
