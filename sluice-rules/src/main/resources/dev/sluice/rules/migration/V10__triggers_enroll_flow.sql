-- Rules on more than inbound events (schedules, leads, mirror changes), enrollment, per-rule dedupe
-- windows and flow control. Runs in the engine's schema; history table rules_schema_history.

-- A decision is about one trigger occurrence: an inbound event (event_id), a schedule tick, a lead
-- or a mirror change; subject names the record it is about (connection/type/id, leads/source/id).
ALTER TABLE rule_decision ALTER COLUMN event_id DROP NOT NULL;
ALTER TABLE rule_decision ADD COLUMN trigger text NOT NULL DEFAULT 'event'
  CHECK (trigger IN ('event', 'schedule', 'lead', 'sync-change'));
ALTER TABLE rule_decision ADD COLUMN subject text;
ALTER TABLE rule_decision DROP CONSTRAINT rule_decision_outcome_check;
ALTER TABLE rule_decision DROP CONSTRAINT rule_decision_check;
-- already-matching: enroll once-per-transition and the record matched before; throttled: a job runs
-- later to stay under the throttle; debounced: the jobs wait for the key to be quiet; paused: a kind
-- is paused, its jobs wait
ALTER TABLE rule_decision ADD CONSTRAINT rule_decision_outcome_check CHECK (outcome IN
  ('no-match', 'enqueued', 'deduped', 'shadowed', 'error', 'already-matching', 'throttled', 'debounced', 'paused'));
ALTER TABLE rule_decision ADD CONSTRAINT rule_decision_matched_check CHECK (matched = (outcome NOT IN ('no-match', 'error')));
CREATE INDEX rule_decision_evaluated_brin ON rule_decision USING brin (evaluated_at);
CREATE INDEX rule_decision_subject_idx ON rule_decision (subject, id) WHERE subject IS NOT NULL;

-- A rule's dedupe keys, each taken for the rule's dedupe_window from the decision that took it.
CREATE TABLE rule_dedupe (
  rule         text NOT NULL,
  dedupe_key   text NOT NULL,
  decision_id  bigint NOT NULL,
  jobs         jsonb NOT NULL DEFAULT '[]',
  taken_at     timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL,
  PRIMARY KEY (rule, dedupe_key)
);
CREATE INDEX rule_dedupe_expires_idx ON rule_dedupe (expires_at);

-- enroll: once-per-transition — whether the record matched the rule at its last evaluation.
CREATE TABLE rule_enrollment (
  rule         text NOT NULL,
  subject      text NOT NULL,
  matching     boolean NOT NULL,
  changed_at   timestamptz NOT NULL,
  decision_id  bigint NOT NULL,
  PRIMARY KEY (rule, subject)
);

-- throttle: the run times (epoch ms, ascending) given to the last `limit` jobs of a scope (rule or
-- rule#action) and key.
CREATE TABLE rule_throttle (
  scope         text NOT NULL,
  throttle_key  text NOT NULL,
  slots         bigint[] NOT NULL,
  PRIMARY KEY (scope, throttle_key)
);

-- debounce: one waiting job per scope and key (fired_at null) holding the latest rendered payload;
-- each matching evaluation moves its run_at to `period` later, never past first_at + max_wait.
CREATE TABLE rule_debounce (
  job_id        bigint PRIMARY KEY,
  scope         text NOT NULL,
  debounce_key  text NOT NULL,
  first_at      timestamptz NOT NULL,
  run_at        timestamptz NOT NULL,
  payload       jsonb NOT NULL,
  evaluations   int NOT NULL DEFAULT 1,
  fired_at      timestamptz
);
CREATE UNIQUE INDEX rule_debounce_waiting_idx ON rule_debounce (scope, debounce_key) WHERE fired_at IS NULL;
CREATE INDEX rule_debounce_fired_idx ON rule_debounce (fired_at) WHERE fired_at IS NOT NULL;

-- Cursors of the polled triggers (mirror changes): the last record_change seq evaluated.
CREATE TABLE rule_cursor (
  name        text PRIMARY KEY,
  position    bigint NOT NULL,
  updated_at  timestamptz NOT NULL
);
