-- Events stored from the measured requests on: all rows, and distinct provider ids (their difference is duplicates).
SELECT count(*), count(DISTINCT provider_event_id) FROM sluice.inbound_event WHERE provider_event_id::bigint >= ?
