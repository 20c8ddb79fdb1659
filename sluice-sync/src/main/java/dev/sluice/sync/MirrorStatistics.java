package dev.sluice.sync;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps PostgreSQL's statistics of {@code record} in step with a mirror that grows by thousands of
 * rows a second during a first sync.
 *
 * <p>Why: the planner sizes each (connection, object type)'s rows from those statistics. While
 * they say one has next to no rows — a new mirror, a new connection or a new object type in an old
 * one — the index on (connection, object_type, source_updated_at) looks as good as the key for a
 * per-id lookup, and a plan that walks every row of the object type per id makes each page cost
 * time in proportion to the mirror. Autovacuum would analyze the table, but only after a minute or
 * more, and only once the whole table grew by a tenth, by which time such a sync has slowed to a
 * crawl. So this analyzes the table itself, in the background and never in a page's transaction,
 * whenever this process has inserted, for one (connection, object type), {@link #GROWTH} more rows
 * than it had at the last analysis (at least {@link #MIN_INSERTS}): a few analyses per tenfold
 * growth, each a sample of the table.
 */
final class MirrorStatistics {
  private static final Logger log = LoggerFactory.getLogger(MirrorStatistics.class);
  static final long MIN_INSERTS = 1_000;
  static final double GROWTH = 0.25;

  /** Rows this process inserted for one (connection, object type). */
  private static final class Growth {
    final AtomicLong sinceAnalysis = new AtomicLong();
    /** Inserted before the last analysis; written only by the analyzing thread. */
    volatile long analyzed;
  }

  private final DataSource ds;
  private final SqlStatements sql;
  private final long minInserts;
  private final ConcurrentMap<String, Growth> byObjectType = new ConcurrentHashMap<>();
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
  void inserted(String connection, String objectType, long inserted) {
    if (inserted <= 0) {
      return;
    }
    Growth g = byObjectType.computeIfAbsent(connection + '\u0000' + objectType, k -> new Growth());
    long since = g.sinceAnalysis.addAndGet(inserted);
    if (since >= Math.max(minInserts, (long) (g.analyzed * GROWTH)) && analyzing.compareAndSet(false, true)) {
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
      // What the analysis will have seen: every row inserted so far, of every object type.
      Map<Growth, Long> seen = new HashMap<>();
      byObjectType.values().forEach(g -> seen.put(g, g.sinceAnalysis.get()));
      try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
        if (!c.getAutoCommit()) {
          c.setAutoCommit(true);
        }
        s.execute(sql.get("analyze_record"));
      }
      seen.forEach((g, n) -> {
        g.sinceAnalysis.addAndGet(-n);
        g.analyzed += n;
      });
      analyses.incrementAndGet();
      log.debug("analyzed the mirror in {} ms", (System.nanoTime() - started) / 1_000_000);
    } catch (SQLException | RuntimeException e) {
      // Only the planner's estimates suffer; autovacuum still analyzes the table in time.
      log.warn("could not analyze the mirror table: {}", e.getMessage());
    } finally {
      analyzing.set(false);
    }
  }
}
