-- No foreign key from an event to its request: its check ran once per stored event (a row lock on
-- the request, from a trigger), about a third of what PostgreSQL spent inserting the event row
-- (docs/benchmarks.md, webhooks). Both rows are written by the same statement batch in one
-- transaction, and the retention pass deletes a request's events with it (clean_requests.sql).
ALTER TABLE inbound_event DROP CONSTRAINT IF EXISTS inbound_event_request_id_fkey;
