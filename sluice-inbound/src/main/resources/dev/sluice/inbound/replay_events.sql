-- Marks the events matching a filter (or one id) as replayed; the caller enqueues their event jobs
-- in the same transaction. Oldest first, at most :limit.
UPDATE ${schema}.inbound_event e
SET replays = e.replays + 1, last_replayed_at = :now
FROM (SELECT id FROM ${schema}.inbound_event
      WHERE (:id::bigint IS NULL OR id = :id::bigint)
        AND (:source::text IS NULL OR source = :source::text)
        AND (:connection::text IS NULL OR connection = :connection::text)
        AND (:type::text IS NULL OR type = :type::text)
        AND (:object_id::text IS NULL OR object_id = :object_id::text)
        AND (:since::timestamptz IS NULL OR received_at >= :since::timestamptz)
      ORDER BY id
      LIMIT :limit
      FOR UPDATE) picked
WHERE e.id = picked.id
RETURNING e.id
