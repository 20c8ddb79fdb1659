-- Named rate limits (token buckets) shared by every process, and cron schedules.
-- Owned by RateLimits and CronScheduler. Names are unqualified: Flyway runs this in the queue's schema.

-- One row per bucket. All state of a bucket lives in its row so that one UPDATE (which re-reads the
-- newest row version after waiting for a concurrent writer) can refill, check and debit atomically.
CREATE TABLE rate_limit (
  name             text PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 200),
  capacity         bigint NOT NULL CHECK (capacity > 0),
  refill_tokens    bigint NOT NULL CHECK (refill_tokens > 0),
  refill_period_us bigint NOT NULL CHECK (refill_period_us > 0),
  -- Permits available at refilled_at; negative after observe() learned the API has fewer left
  -- than a refill would give (a debt paid back by the refill).
  tokens           double precision NOT NULL,
  -- The bucket's own time: the latest instant any process's clock passed in; never goes back.
  refilled_at      timestamptz NOT NULL,
  granted_total    bigint NOT NULL DEFAULT 0,
  updated_at       timestamptz NOT NULL
);

-- One row per schedule. last_tick is the latest tick already turned into a job (or the moment the
-- schedule was created, so that creating a schedule does not fire a past tick).
CREATE TABLE cron_schedule (
  name        text PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 200),
  expression  text NOT NULL,
  zone        text NOT NULL DEFAULT 'UTC',
  job         jsonb NOT NULL,
  last_tick   timestamptz NOT NULL,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL
);
