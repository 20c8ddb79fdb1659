-- Merges the fields Sluice just wrote into what it last wrote to each destination record.
INSERT INTO ${schema}.pipeline_written (connection, object_type, external_id, properties, written_at)
SELECT :connection, :object_type, x.external_id, CAST(x.properties AS jsonb), :now
FROM unnest(CAST(:external_ids AS text[]), CAST(:properties AS text[])) AS x (external_id, properties)
ON CONFLICT (connection, object_type, external_id) DO UPDATE
SET properties = pipeline_written.properties || EXCLUDED.properties, written_at = EXCLUDED.written_at
