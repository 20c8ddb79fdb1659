SELECT properties::text AS properties
FROM ${schema}.record
WHERE connection = :connection AND object_type = :object_type AND external_id = :external_id
