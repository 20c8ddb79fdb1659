-- Mirror writes made outside any sync run (refreshes driven by webhooks) name the inbound event
-- that asked for them, and take their event_seq from the sync event sequence like page commits do,
-- so a record's history orders webhook and sync changes together and pages through them with one
-- cursor. Rows written before this version carried the inbound event id in event_seq.
ALTER TABLE record_change ADD COLUMN inbound_event_id bigint;
UPDATE record_change SET inbound_event_id = event_seq WHERE run_id = 0;
