-- The last push per (pipeline, source record). A null source hash makes the next run push it again.
INSERT INTO ${schema}.pipeline_record (pipeline, source_id, source_hash, mapped, status, destination_id, error, run_id, pushed_at)
SELECT :pipeline, x.source_id, x.source_hash, CAST(x.mapped AS jsonb), x.status, x.destination_id, x.error, :run, :now
FROM unnest(CAST(:source_ids AS text[]), CAST(:source_hashes AS text[]), CAST(:mapped AS text[]), CAST(:statuses AS text[]),
            CAST(:destination_ids AS text[]), CAST(:errors AS text[]))
       AS x (source_id, source_hash, mapped, status, destination_id, error)
ON CONFLICT (pipeline, source_id) DO UPDATE
SET source_hash = EXCLUDED.source_hash,
    mapped = COALESCE(EXCLUDED.mapped, pipeline_record.mapped),
    status = EXCLUDED.status,
    destination_id = COALESCE(EXCLUDED.destination_id, pipeline_record.destination_id),
    error = EXCLUDED.error, run_id = EXCLUDED.run_id, pushed_at = EXCLUDED.pushed_at
