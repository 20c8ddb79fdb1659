package dev.sluice.rules;

import dev.sluice.queue.schema.SqlResource;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import javax.sql.DataSource;

/**
 * RuleStateCleaner deletes what the rules no longer need: expired dedupe keys, debounce rows
 * whose job fired over {@link #KEEP_FIRED_DEBOUNCE} ago, and decisions older than
 * {@link #KEEP_DECISIONS_DEFAULT}; 1,000 rows per statement. Run by the cron schedule
 * {@value #SCHEDULE} (job kind {@value #KIND}) every 15 minutes, once across all processes.
 */
final class RuleStateCleaner {
  static final String KIND = "rules-clean";
  static final String SCHEDULE = "rules:clean";
  static final Duration KEEP_DECISIONS_DEFAULT = Duration.ofDays(30);
  static final Duration KEEP_FIRED_DEBOUNCE = Duration.ofDays(1);
  private static final int SLICE = 1_000;

  private final DataSource ds;
  private final Clock clock;
  private final SqlResource dedupe;
  private final SqlResource debounce;
  private final SqlResource decisions;

  RuleStateCleaner(DataSource ds, String schema, Clock clock) {
    this.ds = ds;
    this.clock = clock;
    this.dedupe = SqlResource.load(RuleStateCleaner.class, "clean_dedupe_keys.sql", schema);
    this.debounce = SqlResource.load(RuleStateCleaner.class, "clean_debounce.sql", schema);
    this.decisions = SqlResource.load(RuleStateCleaner.class, "clean_decisions.sql", schema);
  }

  /** One pass; answers the rows deleted. */
  int cleanOnce() throws SQLException {
    return drain(dedupe, Duration.ZERO) + drain(debounce, KEEP_FIRED_DEBOUNCE) + drain(decisions, KEEP_DECISIONS_DEFAULT);
  }

  private int drain(SqlResource sql, Duration keep) throws SQLException {
    return sql.deleteInSlices(ds, clock.instant().minus(keep).atOffset(ZoneOffset.UTC), SLICE);
  }
}
