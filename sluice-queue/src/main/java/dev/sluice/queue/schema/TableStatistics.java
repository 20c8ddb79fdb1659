package dev.sluice.queue.schema;

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
 * Keeps PostgreSQL's planner statistics of tables in step with a process that grows them by
 * thousands of rows a second (a first sync into the mirror, a pipeline's first push).
 *
 * <p>Why: the planner sizes the rows of each part of a table (a connection and object type, a
 * pipeline) from its statistics. While they still describe the table as it was before the burst —
 * empty, or without that part — a filter on the part looks as selective as a unique key, and a plan
 * that reads every row of the part for each batch makes each batch cost time in proportion to what
 * the burst has written so far. Autovacuum analyzes, but only after a minute or more and only once
 * the whole table grew by a tenth. So the owner of such a burst reports the rows each committed
 * transaction wrote, per part ({@link #written}), and this runs the owner's {@code ANALYZE} statement
 * in the background, never in the owner's transaction, whenever one part has grown by {@link #GROWTH}
 * of the rows written before the last analysis (at least {@code minRows}): a few analyses per
 * tenfold growth, each a sample of the tables. At most one analysis runs at a time per instance.
 *
 * <p>Shared by the modules built on the queue that grow tables in bursts ({@code sluice-sync}'s
 * mirror, {@code sluice-pipelines}' identity and push state); not part of the queue's job API.
 */
public final class TableStatistics {
  private static final Logger log = LoggerFactory.getLogger(TableStatistics.class);
  /** Rows of one part before its first analysis. */
  public static final long MIN_ROWS = 1_000;
  /** Growth of one part, as a share of the rows written before the last analysis, that calls for the next. */
  public static final double GROWTH = 0.25;

  /** Rows this process wrote to one part. */
  private static final class Growth {
    final AtomicLong sinceAnalysis = new AtomicLong();
    /** Written before the last analysis; written only by the analyzing thread. */
    volatile long analyzed;
  }

  private final DataSource ds;
  private final String analyze;
  private final String what;
  private final long minRows;
  private final ConcurrentMap<String, Growth> byPart = new ConcurrentHashMap<>();
  private final AtomicBoolean analyzing = new AtomicBoolean();
  private final AtomicLong analyses = new AtomicLong();

  /**
   * @param analyze the owner's {@code ANALYZE} statement (from its own {@code .sql} resource)
   * @param what    the tables, as logs name them
   */
  public TableStatistics(DataSource ds, String analyze, String what) {
    this(ds, analyze, what, MIN_ROWS);
  }

  public TableStatistics(DataSource ds, String analyze, String what, long minRows) {
    if (analyze == null || !analyze.stripLeading().regionMatches(true, 0, "ANALYZE", 0, 7)) {
      throw new IllegalArgumentException("not an ANALYZE statement: " + analyze);
    }
    this.ds = ds;
    this.analyze = analyze;
    this.what = what;
    this.minRows = minRows;
  }

  /**
   * Called after a transaction committed {@code rows} new rows of {@code part} (an upsert's count,
   * which does not tell inserts from updates, will do: it only brings an analysis forward); may
   * start an analysis and returns at once.
   */
  public void written(String part, long rows) {
    if (rows <= 0) {
      return;
    }
    Growth g = byPart.computeIfAbsent(part, k -> new Growth());
    long since = g.sinceAnalysis.addAndGet(rows);
    if (since >= Math.max(minRows, (long) (g.analyzed * GROWTH)) && analyzing.compareAndSet(false, true)) {
      Thread.ofVirtual().name("sluice-analyze").start(this::analyze);
    }
  }

  /** Analyses finished by this instance (tests, logs). */
  public long analyses() {
    return analyses.get();
  }

  private void analyze() {
    try {
      long started = System.nanoTime();
      // What the analysis will have seen: every row written so far, of every part.
      Map<Growth, Long> seen = new HashMap<>();
      byPart.values().forEach(g -> seen.put(g, g.sinceAnalysis.get()));
      try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
        if (!c.getAutoCommit()) {
          c.setAutoCommit(true);
        }
        s.execute(analyze);
      }
      seen.forEach((g, n) -> {
        g.sinceAnalysis.addAndGet(-n);
        g.analyzed += n;
      });
      analyses.incrementAndGet();
      log.debug("analyzed {} in {} ms", what, (System.nanoTime() - started) / 1_000_000);
    } catch (SQLException | RuntimeException e) {
      // Only the planner's estimates suffer; autovacuum still analyzes the tables in time.
      log.warn("could not analyze {}: {}", what, e.getMessage());
    } finally {
      analyzing.set(false);
    }
  }
}
