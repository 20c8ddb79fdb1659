package dev.sluice.sync;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps PostgreSQL's statistics of {@code record} in step with a mirror that grows by thousands of
 * rows a second during a first sync.
 *
 * <p>Why: the planner sizes each object type's rows from those statistics. While they say a
 * (connection, object type) has next to no rows — a new mirror, or a new connection in an old one —
 * the index on (connection, object_type, source_updated_at) looks as good as the key for a per-id
 * lookup, and a plan that walks every row of the object type per id makes each page cost time in
 * proportion to the mirror. Autovacuum would analyze the table, but only after a minute or more,
 * by which time such a sync has slowed to a crawl. So this analyzes the table itself, in the
 * background, whenever this process has inserted {@link #GROWTH} of the rows the statistics
 * know of (at least {@link #MIN_INSERTS}): a few analyses per tenfold growth, each a sample of
 * the table, never in a page's transaction.
 */
final class MirrorStatistics {
  private static final Logger log = LoggerFactory.getLogger(MirrorStatistics.class);
  static final long MIN_INSERTS = 1_000;
  static final double GROWTH = 0.25;

  private final DataSource ds;
  private final SqlStatements sql;
  private final long minInserts;
  private final AtomicLong insertedSinceAnalyze = new AtomicLong();
  /** Rows the statistics know of; -1 until read from pg_class. */
  private volatile long rowsKnown = -1;
  private final AtomicBoolean analyzing = new AtomicBoolean();
  private final AtomicLong analyses = new AtomicLong();

  MirrorStatistics(DataSource ds, SqlStatements sql) {
    this(ds, sql, MIN_INSERTS);
  }

  MirrorStatistics(DataSource ds, SqlStatements sql, long minInserts) {
    this.ds = ds;
    this.sql = sql;
    this.minInserts = minInserts;
  }

  /** Called after a page committed {@code inserted} new mirror rows; may start an analysis. */
  void inserted(long inserted) {
    if (inserted <= 0) {
      return;
    }
    long since = insertedSinceAnalyze.addAndGet(inserted);
    long known = rowsKnown;
    long threshold = Math.max(minInserts, (long) (Math.max(known, 0) * GROWTH));
    if (since >= threshold && analyzing.compareAndSet(false, true)) {
      Thread.ofVirtual().name("sluice-mirror-analyze").start(this::analyze);
    }
  }

  /** Analyses finished by this instance (tests, logs). */
  long analyses() {
    return analyses.get();
  }

  private void analyze() {
    try {
      long started = System.nanoTime();
      long before = insertedSinceAnalyze.get();
      try (Connection c = ds.getConnection()) {
        if (!c.getAutoCommit()) {
          c.setAutoCommit(true);
        }
        if (rowsKnown < 0) {
          rowsKnown = reltuples(c);
          if (before < Math.max(minInserts, (long) (rowsKnown * GROWTH))) {
            return; // the statistics were fresher than this process knew
          }
        }
        try (Statement s = c.createStatement()) {
          s.execute(sql.get("analyze_record"));
        }
        rowsKnown = reltuples(c);
      }
      insertedSinceAnalyze.addAndGet(-before);
      analyses.incrementAndGet();
      log.debug("analyzed the mirror: {} rows, {} ms", rowsKnown, (System.nanoTime() - started) / 1_000_000);
    } catch (SQLException | RuntimeException e) {
      // Only the planner's estimates suffer; autovacuum still analyzes the table in time.
      log.warn("could not analyze the mirror table: {}", e.getMessage());
    } finally {
      analyzing.set(false);
    }
  }

  private long reltuples(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.get("record_reltuples"));
         ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Math.max(0, rs.getLong(1)) : 0;
    }
  }
}
