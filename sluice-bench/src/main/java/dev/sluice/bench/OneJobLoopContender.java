package dev.sluice.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one-job-per-claim loop of seed 003, written in Java so that only the claim strategy differs
 * from Sluice: each worker thread owns a connection and repeats {@code BEGIN; SELECT … FOR UPDATE
 * SKIP LOCKED LIMIT 1; run; UPDATE … done; COMMIT} until the claim finds nothing.
 */
final class OneJobLoopContender {
  static final String NAME = "one_job_loop";

  private final int workers;
  private final String claimSql = SqlResource.load("one-job-loop-claim.sql");
  private final String doneSql = SqlResource.load("one-job-loop-done.sql");

  OneJobLoopContender(int workers) {
    this.workers = workers;
  }

  int workers() {
    return workers;
  }

  Throughput run(BenchServer server, int jobs) throws Exception {
    try (BenchDatabase db = server.createDatabase("loop")) {
      db.execute("one-job-loop-schema.sql");
      try (Connection c = db.connect(); PreparedStatement fill = c.prepareStatement(SqlResource.load("one-job-loop-fill.sql"))) {
        fill.setInt(1, jobs);
        fill.executeUpdate();
      }
      db.analyze();

      AtomicLong firstStart = new AtomicLong(Long.MAX_VALUE);
      AtomicLong lastEnd = new AtomicLong(Long.MIN_VALUE);
      AtomicLong worked = new AtomicLong();
      AtomicReference<Exception> failure = new AtomicReference<>();
      List<Connection> connections = new ArrayList<>();
      CpuMeter cpu = new CpuMeter(server.cpu());
      try {
        // Connections are opened before the clock can start, as a long-running worker has them.
        for (int i = 0; i < workers; i++) {
          Connection c = db.connect();
          c.setAutoCommit(false);
          connections.add(c);
        }
        List<Thread> threads = new ArrayList<>();
        cpu.start();
        for (Connection c : connections) {
          threads.add(Thread.ofPlatform().name("loop-worker").start(() -> {
            try {
              workUntilEmpty(c, firstStart, lastEnd, worked);
            } catch (Exception e) {
              failure.compareAndSet(null, e);
            }
          }));
        }
        for (Thread t : threads) t.join();
        cpu.stop();
      } finally {
        for (Connection c : connections) c.close();
      }
      if (failure.get() != null) throw failure.get();
      try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(SqlResource.load("one-job-loop-remaining.sql"));
           ResultSet rs = s.executeQuery()) {
        rs.next();
        long remaining = rs.getLong(1);
        if (remaining != 0 || worked.get() != jobs) {
          throw new IllegalStateException("one-job loop left " + remaining + " jobs unworked (worked " + worked.get() + " of " + jobs + ")");
        }
      }
      return new Throughput(jobs, lastEnd.get() - firstStart.get(), cpu.serverSeconds().orElse(Double.NaN),
          cpu.jvmSeconds().orElse(Double.NaN));
    }
  }

  private void workUntilEmpty(Connection c, AtomicLong firstStart, AtomicLong lastEnd, AtomicLong worked) throws SQLException {
    try (PreparedStatement claim = c.prepareStatement(claimSql); PreparedStatement done = c.prepareStatement(doneSql)) {
      while (true) {
        long id;
        try (ResultSet rs = claim.executeQuery()) {
          if (!rs.next()) {
            c.rollback();
            return;
          }
          id = rs.getLong(1);
          rs.getString(2); // the handler's input; the handler itself is a no-op
        }
        long started = System.nanoTime();
        firstStart.accumulateAndGet(started, Math::min);
        done.setLong(1, id);
        done.executeUpdate();
        c.commit();
        worked.incrementAndGet();
        lastEnd.accumulateAndGet(System.nanoTime(), Math::max);
      }
    }
  }
}
