-- Running totals for /metrics (issue 8): counters that only ever grow, so Prometheus can take
-- rates of them, and that retention (which deletes runs, streams and events) never lowers. A
-- scrape reads these few rows instead of summing the history tables.

-- Records synced per connection and object type: added to by every page commit, in its
-- transaction (so a rolled-back page is not counted), as the page's last write.
CREATE TABLE sync_total (
  connection  text   NOT NULL,
  object_type text   NOT NULL,
  fetched     bigint NOT NULL DEFAULT 0,
  created     bigint NOT NULL DEFAULT 0,
  updated     bigint NOT NULL DEFAULT 0,
  unchanged   bigint NOT NULL DEFAULT 0,
  archived    bigint NOT NULL DEFAULT 0,
  failed      bigint NOT NULL DEFAULT 0,
  requests    bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (connection, object_type)
);

-- Durations of runs that reached a final status, as a cumulative histogram per connection and
-- status: le_counts[i] counts the runs that took at most RunDurations.BOUNDS[i] seconds.
CREATE TABLE sync_run_total (
  connection  text             NOT NULL,
  status      text             NOT NULL,
  runs        bigint           NOT NULL,
  seconds_sum double precision NOT NULL,
  le_counts   bigint[]         NOT NULL,
  PRIMARY KEY (connection, status)
);
