INSERT INTO ${schema}.pipeline_result (run_id, source_id, batch, status, reason, destination_id, error, at)
SELECT :run, x.source_id, :batch, x.status, x.reason, x.destination_id, x.error, :now
FROM unnest(CAST(:source_ids AS text[]), CAST(:statuses AS text[]), CAST(:reasons AS text[]),
            CAST(:destination_ids AS text[]), CAST(:errors AS text[]))
       AS x (source_id, status, reason, destination_id, error)
ON CONFLICT (run_id, source_id) DO UPDATE
SET batch = EXCLUDED.batch, status = EXCLUDED.status, reason = EXCLUDED.reason,
    destination_id = EXCLUDED.destination_id, error = EXCLUDED.error, at = EXCLUDED.at
