package dev.sluice.server.cli;

import dev.sluice.postgres.PostgresSource;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.JobState;
import dev.sluice.queue.JobWorker;
import dev.sluice.queue.NewJob;
import dev.sluice.queue.schema.SqlResource;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code sluice demo --queue-only}: bulk-enqueues no-op jobs into a fresh schema and works them off
 * with a live progress line, then prints the throughput (the queue on its own, no sync).
 */
final class QueueDemo implements Callable<Integer> {
  /** The schema the demo drops and recreates each run, so it never touches real queue data. */
  static final String DEMO_SCHEMA = "sluice_demo";

  /** Default handlers at once for the queue demo. */
  static final int DEFAULT_CONCURRENCY = 32;

  private final int jobs;
  private final int concurrency;
  private final int claimBatch;

  QueueDemo(int jobs, int concurrency, int claimBatch) {
    this.jobs = jobs;
    this.concurrency = concurrency;
    this.claimBatch = claimBatch;
  }

  @Override
  public Integer call() throws Exception {
    if (jobs < 1 || jobs > 10_000_000) throw new IllegalArgumentException("--jobs must be between 1 and 10000000, got " + jobs);
    if (concurrency < 1 || concurrency > 10_000) throw new IllegalArgumentException("--concurrency must be between 1 and 10000, got " + concurrency);
    if (claimBatch < 1 || claimBatch > 10_000) throw new IllegalArgumentException("--claim-batch must be between 1 and 10000, got " + claimBatch);
    PrintStream out = System.out;
    Path home = Path.of(System.getenv().getOrDefault("SLUICE_HOME", ".sluice"));
    try (PostgresSource pg = PostgresSource.open(System.getenv(PostgresSource.DATABASE_URL_ENV), home, 12)) {
      out.println("sluice demo: " + (pg.isEmbedded() ? "embedded PostgreSQL under " + home.resolve("pgdata") : "PostgreSQL at " + pg.displayUrl())
          + ", schema " + DEMO_SCHEMA + " (recreated)");
      String refusal = dropOwnSchema(pg);
      if (refusal != null) {
        System.err.println("sluice demo: " + refusal);
        return 2;
      }
      JobQueue queue = JobQueue.builder(pg.dataSource()).schema(DEMO_SCHEMA).build().migrate();
      execute(pg, "queue_demo_mark.sql");

      List<NewJob> batch = new ArrayList<>(jobs);
      for (int i = 0; i < jobs; i++) batch.add(NewJob.of("noop", "{\"n\":" + i + "}"));
      long t0 = System.nanoTime();
      long inserted = queue.bulkEnqueue(batch);
      double enqueueSeconds = (System.nanoTime() - t0) / 1e9;
      out.printf(Locale.ROOT, "enqueued %,d jobs in %.2f s (%,.0f jobs/s)%n", inserted, enqueueSeconds, inserted / enqueueSeconds);
      try (Connection c = pg.dataSource().getConnection(); Statement s = c.createStatement()) {
        s.execute("ANALYZE " + DEMO_SCHEMA + ".job");
      }

      long start = System.nanoTime();
      JobWorker worker = queue.worker().concurrency(concurrency).claimBatchSize(claimBatch)
          .handle("noop", ctx -> { }).start();
      long done;
      long lastPrint = 0;
      while ((done = worker.completedCount()) < inserted) {
        long now = System.nanoTime();
        if (now - lastPrint > 200_000_000L) {
          double secs = (now - start) / 1e9;
          out.printf(Locale.ROOT, "\r  %,9d / %,d jobs done  %,8.0f jobs/s   ", done, inserted, done / Math.max(secs, 1e-9));
          out.flush();
          lastPrint = now;
        }
        LockSupport.parkNanos(20_000_000L);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      worker.close();
      out.printf(Locale.ROOT, "\r  %,9d / %,d jobs done  %,8.0f jobs/s   %n", done, inserted, done / seconds);
      long completed = queue.stats().count(JobState.COMPLETED);
      out.printf(Locale.ROOT, "worked %,d jobs in %.2f s: %,.0f jobs/s (concurrency %d, claim batch %d); %,d completed in the database%n",
          done, seconds, done / seconds, concurrency, claimBatch, completed);
      return completed == inserted ? 0 : 1;
    }
  }

  /**
   * Drops the demo schema of an earlier run; null when done (or there was none), else why not: a
   * schema of that name the demo did not make (no mark) is someone else's, in a database the demo
   * did not create either.
   */
  static String dropOwnSchema(PostgresSource pg) throws SQLException {
    String comment = null;
    SqlResource owner = SqlResource.load(QueueDemo.class, "queue_demo_owner.sql", DEMO_SCHEMA);
    try (Connection c = pg.dataSource().getConnection(); PreparedStatement ps = owner.prepare(c)) {
      owner.set(ps, "schema_name", DEMO_SCHEMA);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) comment = rs.getString(1);
      }
    }
    if (comment == null) return null;
    if (!comment.startsWith("made by sluice demo --queue-only")) {
      return "schema " + DEMO_SCHEMA + " already exists in " + pg.displayUrl() + " and was not made by this demo; "
          + "not dropping it (drop it yourself, or point SLUICE_DATABASE_URL at another database)";
    }
    execute(pg, "queue_demo_drop.sql");
    return null;
  }

  private static void execute(PostgresSource pg, String resource) throws SQLException {
    try (Connection c = pg.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute(SqlResource.load(QueueDemo.class, resource, DEMO_SCHEMA).sql());
    }
  }
}
