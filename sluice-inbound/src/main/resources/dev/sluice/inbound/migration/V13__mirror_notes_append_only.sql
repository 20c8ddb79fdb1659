-- The ids waiting for a mirror refresh become notes appended by the storing transaction: no
-- primary key, so a note is a plain insert. As an upsert on (connection, object_type, object_id) a
-- note cost 9-16 µs of PostgreSQL CPU (as much as the event row), and two storing transactions
-- noting the same record waited for each other's commit. A record noted by several transactions
-- has a row per transaction until its refresh; the refresh reads the oldest notes by event id and
-- deletes exactly the notes it read (docs/webhooks.md).
ALTER TABLE inbound_mirror_pending DROP CONSTRAINT inbound_mirror_pending_pkey;
DROP INDEX inbound_mirror_pending_oldest_idx;
CREATE INDEX inbound_mirror_pending_event_idx ON inbound_mirror_pending (connection, object_type, event_id);
