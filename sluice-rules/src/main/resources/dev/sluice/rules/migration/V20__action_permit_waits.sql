-- Actions waiting for a permit of a connection's shared rate-limit buckets (ActionPriority). While
-- a row is live (until > now), syncs and other callers of lower priority leave `permits` in that
-- bucket for it. A waiter refreshes its row on every try and deletes it once granted; a crashed
-- waiter's row expires by itself.
CREATE TABLE action_permit_wait (
  bucket  text NOT NULL,
  waiter  uuid NOT NULL,
  permits int NOT NULL CHECK (permits > 0),
  until   timestamptz NOT NULL,
  PRIMARY KEY (bucket, waiter)
);
