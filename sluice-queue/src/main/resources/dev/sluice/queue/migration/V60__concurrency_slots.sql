-- Concurrency caps shared by every process (issue 12): a cap named N with S slots is S rows
-- (name, slot). A caller holds a slot from just before its request until the answer, then frees
-- it; a holder that dies leaves its slot until lease_until passes, then anyone may take it. For
-- APIs that limit simultaneous connections rather than a rate (Mailchimp: 10 per account).
CREATE TABLE concurrency_slot (
  name        text        NOT NULL,
  slot        int         NOT NULL CHECK (slot >= 0),
  holder      uuid,
  lease_until timestamptz,
  PRIMARY KEY (name, slot),
  CHECK ((holder IS NULL) = (lease_until IS NULL))
);
