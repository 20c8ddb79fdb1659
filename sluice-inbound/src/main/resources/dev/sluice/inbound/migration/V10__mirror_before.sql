-- What the mirror held for a record just before a webhook refresh overwrote it, for the events the
-- refresh covered (up to up_to_event_id): the rules' `previous` for an event whose refresh committed
-- before its rules were evaluated. properties is null when the record was not in the mirror.
CREATE TABLE inbound_mirror_before (
  connection      text NOT NULL,
  object_type     text NOT NULL,
  object_id       text NOT NULL,
  up_to_event_id  bigint NOT NULL,
  properties      jsonb,
  taken_at        timestamptz NOT NULL,
  PRIMARY KEY (connection, object_type, object_id, up_to_event_id)
);
CREATE INDEX inbound_mirror_before_taken_brin ON inbound_mirror_before USING brin (taken_at);
