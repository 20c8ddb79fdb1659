-- Per record, the stored notification with the newest values (Salesforce delivers out of order:
-- the latest arrival is not always the latest state).
SELECT DISTINCT ON (object_id) object_id, payload::text
FROM ${schema}.inbound_event
WHERE source = 'salesforce' AND connection = :connection AND object_type = :object_type
  AND object_id = ANY(:object_ids::text[])
ORDER BY object_id, occurred_at DESC NULLS LAST, id DESC
