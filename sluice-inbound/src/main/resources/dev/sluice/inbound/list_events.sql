-- Events matching a filter, newest first, one page before an id cursor. Handled counts the first
-- handling (recorded on the request) plus the event's own runs (replays, and events stored before V2).
SELECT e.id, e.source, e.connection, e.provider_event_id, e.type, e.object_type, e.object_id, e.property_name,
       e.property_value, e.occurred_at, e.received_at, e.request_id,
       e.handled_count + (r.handled_at IS NOT NULL)::int, greatest(e.last_handled_at, r.handled_at), e.replays,
       e.last_replayed_at, e.payload::text
FROM ${schema}.inbound_event e JOIN ${schema}.inbound_request r ON r.id = e.request_id
WHERE (:source::text IS NULL OR e.source = :source::text)
  AND (:connection::text IS NULL OR e.connection = :connection::text)
  AND (:type::text IS NULL OR e.type = :type::text)
  AND (:object_id::text IS NULL OR e.object_id = :object_id::text)
  AND (:since::timestamptz IS NULL OR e.received_at >= :since::timestamptz)
  AND (:before::bigint IS NULL OR e.id < :before::bigint)
ORDER BY e.id DESC
LIMIT :limit
