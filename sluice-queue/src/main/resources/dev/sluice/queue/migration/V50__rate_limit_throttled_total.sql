-- Refusals (HTTP 429) by the API a bucket stands for, counted for /metrics (issue 8): a counter
-- that only grows, kept in the bucket's row so that every process's refusals add up.
ALTER TABLE rate_limit ADD COLUMN throttled_total bigint NOT NULL DEFAULT 0;
