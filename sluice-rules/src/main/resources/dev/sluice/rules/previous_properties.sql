-- The record before the event: the snapshot a webhook refresh took when it overwrote the record for
-- events up to or after this one (the first such refresh), else the mirror row as it is.
SELECT properties::text AS properties FROM (
  (SELECT b.properties, 0 AS pick
   FROM ${schema}.inbound_mirror_before b
   WHERE b.connection = :connection AND b.object_type = :object_type AND b.object_id = :external_id
     AND b.up_to_event_id >= :event_id
   ORDER BY b.up_to_event_id
   LIMIT 1)
  UNION ALL
  (SELECT r.properties, 1 AS pick
   FROM ${schema}.record r
   WHERE r.connection = :connection AND r.object_type = :object_type AND r.external_id = :external_id)
) x
ORDER BY pick
LIMIT 1
