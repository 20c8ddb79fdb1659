-- Event jobs cover whole requests (up to 500 events a job) instead of one event each: the first
-- handling of a request's events is recorded once on the request, not by rewriting every event row
-- (an UPDATE per event cost as much as storing it). Events stored before this version keep the
-- counts their own jobs wrote; replays still count on the event.
ALTER TABLE inbound_request ADD COLUMN handled_at timestamptz;

-- Fewer index entries per stored event and per provider id: listings by time scan the id order
-- (received_at grows with id), and the dedupe cleaner's range needs only a BRIN summary of
-- first_seen_at (rows arrive in time order).
DROP INDEX inbound_event_received_idx;
DROP INDEX inbound_dedupe_seen_idx;
CREATE INDEX inbound_dedupe_seen_brin ON inbound_dedupe USING brin (first_seen_at);
