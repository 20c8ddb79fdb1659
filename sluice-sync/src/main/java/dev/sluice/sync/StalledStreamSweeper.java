package dev.sluice.sync;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Fails streams whose page job can no longer run, so their run reaches a final status (and can be
 * resumed) instead of showing "processing" forever. The page handler marks its stream failed itself
 * in every case it sees; this covers the ones it cannot see: a job whose last attempt died with its
 * worker, or one an operator cancelled.
 */
final class StalledStreamSweeper {
  /** How often a server sweeps (the queue cron's finest interval). */
  static final Duration SWEEP_INTERVAL_DEFAULT = Duration.ofMinutes(1);

  private final DataSource ds;
  private final SyncStore store;
  private final Clock clock;

  StalledStreamSweeper(DataSource ds, SyncStore store, Clock clock) {
    this.ds = ds;
    this.store = store;
    this.clock = clock;
  }

  private record Stalled(long runId, String objectType, long page, String jobState, String jobError) {}

  /** Fails every stalled stream; returns how many. */
  int sweep() throws SQLException {
    List<Stalled> stalled = new ArrayList<>();
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(store.sql.get("find_stalled_streams"))) {
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          stalled.add(new Stalled(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getString(5)));
        }
      }
    }
    int failed = 0;
    for (Stalled s : stalled) {
      if (fail(s)) {
        failed++;
      }
    }
    return failed;
  }

  private boolean fail(Stalled s) throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try {
        Optional<RunTransaction> run = RunTransaction.lock(c, store, s.runId(), clock.instant());
        Optional<StreamState> locked = run.isEmpty() ? Optional.empty() : run.get().lockStream(s.objectType());
        // re-check under the lock: the stream may have moved on since the look-up
        if (locked.isEmpty() || locked.get().status().terminal() || locked.get().pagesCommitted() != s.page()) {
          c.rollback();
          return false;
        }
        String why = s.jobState() == null ? "its page job is missing"
            : "its page job is " + s.jobState() + (s.jobError() == null ? "" : " (" + s.jobError() + ")");
        RunTransaction t = run.get();
        t.append(s.objectType(), SyncEventType.STREAM_FAILED, Json.object()
            .put("reason", "page " + (s.page() + 1) + " can no longer run: " + why).put("page", s.page())
            .put("position", locked.get().position()));
        t.finish();
        c.commit();
        return true;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }
}
