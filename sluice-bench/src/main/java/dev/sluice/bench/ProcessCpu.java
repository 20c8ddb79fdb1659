package dev.sluice.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU seconds of one child process (read from /proc, all its threads) plus the PostgreSQL server it
 * works on (when that runs on this host): the load-insensitive cost of a benchmark phase. NaN when
 * the child's /proc entry cannot be read.
 */
final class ProcessCpu {
  private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on every Linux x86-64 build
  /** CPU per poll interval below which the processes count as quiet (10% of one core). */
  private static final double QUIET_SECONDS_PER_POLL = 0.05;
  private static final long POLL_MILLIS = 500;
  private static final long QUIET_WAIT_MAX_MILLIS = 120_000;

  private final long pid;
  private final ServerCpu database;

  ProcessCpu(long pid, ServerCpu database) {
    this.pid = pid;
    this.database = database;
  }

  /** CPU seconds used so far by the child and the database server. */
  double seconds() {
    double own = own();
    if (Double.isNaN(own)) return Double.NaN;
    return database == null ? own : own + database.seconds().orElse(Double.NaN);
  }

  /**
   * Waits until the child and the database are (nearly) idle, i.e. the work queued behind the
   * answers (jobs, refreshes) is done, for at most two minutes; answers {@link #seconds()} then.
   */
  double secondsWhenQuiet() throws InterruptedException {
    double last = seconds();
    long deadline = System.currentTimeMillis() + QUIET_WAIT_MAX_MILLIS;
    while (!Double.isNaN(last) && System.currentTimeMillis() < deadline) {
      Thread.sleep(POLL_MILLIS); // sampling another process's CPU counters, not waiting for a state we could observe
      double now = seconds();
      if (now - last < QUIET_SECONDS_PER_POLL) return now;
      last = now;
    }
    return last;
  }

  /** CPU seconds used so far by the child alone (NaN when unreadable). */
  double childSeconds() {
    return own();
  }

  private double own() {
    try {
      String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }
}
