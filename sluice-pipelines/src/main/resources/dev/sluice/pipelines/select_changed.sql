-- The next source records after :after (keyset on the mirror's unique key) whose content changed since
-- this pipeline last pushed them (or that it never pushed, or must push again: source_hash null), with
-- the last push's mapped values and what Sluice itself last wrote to the source record.
SELECT r.external_id, r.properties::text AS properties, r.archived, r.source_updated_at, r.content_hash,
       s.mapped::text AS mapped, w.properties::text AS written,
       s.destination_id AS last_destination_id, COALESCE(d.archived, false) AS destination_archived
FROM ${schema}.record r
LEFT JOIN ${schema}.pipeline_record s ON s.pipeline = :pipeline AND s.source_id = r.external_id
LEFT JOIN ${schema}.pipeline_written w
       ON w.connection = r.connection AND w.object_type = r.object_type AND w.external_id = r.external_id
LEFT JOIN ${schema}.record d
       ON d.connection = :destination_connection AND d.object_type = :destination_object AND d.external_id = s.destination_id
WHERE r.connection = :connection AND r.object_type = :object_type
  AND r.external_id > :after
  AND s.source_hash IS DISTINCT FROM r.content_hash
ORDER BY r.external_id
LIMIT :limit
