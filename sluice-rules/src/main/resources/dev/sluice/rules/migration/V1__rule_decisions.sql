-- Every evaluation of a rule on an inbound event, with the values it read and what it did.
-- Runs in the engine's schema; history table rules_schema_history.
CREATE TABLE rule_decision (
  id            bigserial PRIMARY KEY,
  event_id      bigint NOT NULL,
  rule          text NOT NULL,
  rule_file     text NOT NULL,
  evaluated_at  timestamptz NOT NULL,
  matched       boolean NOT NULL,
  -- no-match: a condition was false; enqueued: at least one new job; deduped: every job's key was
  -- taken; shadowed: jobs recorded, never sent; error: the rule could not be evaluated
  outcome       text NOT NULL CHECK (outcome IN ('no-match', 'enqueued', 'deduped', 'shadowed', 'error')),
  decided_by    text,
  dedupe_key    text,
  inputs        jsonb NOT NULL,
  jobs          jsonb NOT NULL DEFAULT '[]',
  error         text,
  CHECK (matched = (outcome IN ('enqueued', 'deduped', 'shadowed')))
);
CREATE INDEX rule_decision_event_idx ON rule_decision (event_id, id);
CREATE INDEX rule_decision_rule_idx ON rule_decision (rule, evaluated_at);
