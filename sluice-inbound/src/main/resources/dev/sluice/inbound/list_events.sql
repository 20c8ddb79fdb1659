-- Events matching a filter, newest first, one page before an id cursor.
SELECT e.id, e.source, e.connection, e.provider_event_id, e.type, e.object_type, e.object_id, e.property_name,
       e.property_value, e.occurred_at, e.received_at, e.request_id, e.handled_count, e.last_handled_at, e.replays,
       e.last_replayed_at, e.payload::text
FROM ${schema}.inbound_event e
WHERE (:source::text IS NULL OR e.source = :source::text)
  AND (:connection::text IS NULL OR e.connection = :connection::text)
  AND (:type::text IS NULL OR e.type = :type::text)
  AND (:object_id::text IS NULL OR e.object_id = :object_id::text)
  AND (:since::timestamptz IS NULL OR e.received_at >= :since::timestamptz)
  AND (:before::bigint IS NULL OR e.id < :before::bigint)
ORDER BY e.id DESC
LIMIT :limit
