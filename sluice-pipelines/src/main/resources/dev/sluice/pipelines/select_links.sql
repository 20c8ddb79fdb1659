-- For the batch's match keys: the records linked to each entity on either side of the pipeline, with
-- their mirror row (when the mirror holds that system) and what Sluice last wrote to them.
SELECT e.match_key, l.connection, l.object_type, l.external_id,
       r.properties::text AS properties, r.source_updated_at, r.archived, w.properties::text AS written
FROM ${schema}.identity_entity e
JOIN ${schema}.identity_link l ON l.entity_id = e.id
LEFT JOIN ${schema}.record r
       ON r.connection = l.connection AND r.object_type = l.object_type AND r.external_id = l.external_id
LEFT JOIN ${schema}.pipeline_written w
       ON w.connection = l.connection AND w.object_type = l.object_type AND w.external_id = l.external_id
WHERE e.match_key = ANY(:keys)
  AND ((l.connection = :source_connection AND l.object_type = :source_object)
    OR (l.connection = :destination_connection AND l.object_type = :destination_object))
ORDER BY e.match_key, l.linked_at, l.external_id
