package dev.sluice.sync;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import javax.sql.DataSource;

/**
 * Deletes sync history past its {@link SyncRetention}: the events of old runs, the record changes
 * they wrote, then the runs themselves with their streams. Each statement deletes at most
 * {@link #BATCH} rows in its own transaction, so a pass never holds many locks or a long transaction
 * (which would hold back vacuum). Safe to run in several processes at once.
 */
final class SyncHistoryCleaner {
  /** Rows per delete statement. */
  static final int BATCH = 5000;

  /** What one pass deleted. */
  record Result(long events, long recordChanges, long runs) {}

  private final DataSource ds;
  private final SyncStore store;
  private final Clock clock;

  SyncHistoryCleaner(DataSource ds, SyncStore store, Clock clock) {
    this.ds = ds;
    this.store = store;
    this.clock = clock;
  }

  Result clean(SyncRetention retention) throws SQLException {
    Instant now = clock.instant();
    long events = deleteAll("clean_sync_events", now.minus(retention.events()));
    long changes = deleteAll("clean_record_changes", now.minus(retention.recordChanges()))
        + deleteAll("clean_outside_run_changes", now.minus(retention.recordChanges())); // webhook refreshes: by their own age
    // runs last: record_change has no foreign key to its run, and retention.runs() is the longest,
    // so a run's changes are gone before the run is
    long runs = deleteAll("clean_sync_runs", now.minus(retention.runs()));
    return new Result(events, changes, runs);
  }

  private long deleteAll(String statement, Instant before) throws SQLException {
    long total = 0;
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(store.sql.get(statement))) {
      int n;
      do {
        SyncStore.setInstant(ps, 1, before);
        ps.setInt(2, BATCH);
        n = ps.executeUpdate();
        total += n;
      } while (n == BATCH);
    }
    return total;
  }
}
