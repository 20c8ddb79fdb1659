package dev.sluice.queue;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * FinishedJobCleaner applies retention, in small batches so that it never holds many row locks or
 * a long transaction (which would hold back vacuum for the whole queue). Completed and shadowed
 * jobs are kept {@link #KEEP_FINISHED_DEFAULT} (whole day partitions of {@code job_finished} are
 * dropped; it also makes the partitions of the next days), cancelled ones likewise, dead ones
 * {@link #KEEP_DEAD_DEFAULT}. Dedupe keys expire on their own (per kind, see
 * {@link KindPolicy#dedupeWindow()}), independent of job retention. Safe to run in every process
 * at once.
 */
public final class FinishedJobCleaner {
  public static final Duration KEEP_FINISHED_DEFAULT = Duration.ofDays(1);
  public static final Duration KEEP_DEAD_DEFAULT = Duration.ofDays(7);
  /** How often each worker process runs a cleaning pass. */
  public static final Duration RUN_INTERVAL_DEFAULT = Duration.ofMinutes(1);
  /** Day partitions made ahead of the clock's day (today included). */
  static final int DAYS_AHEAD = 3;
  /** Rows per delete statement. */
  static final int BATCH = 1000;

  private final PostgresJobStore store;
  private final Clock clock;
  private final Duration keepFinished;
  private final Duration keepDead;

  FinishedJobCleaner(PostgresJobStore store, Clock clock, Duration keepFinished, Duration keepDead) {
    this.store = store;
    this.clock = clock;
    this.keepFinished = keepFinished;
    this.keepDead = keepDead;
  }

  /** One pass with the configured retention; returns rows deleted (a dropped day partition counts one). */
  public int cleanOnce() {
    return cleanOnce(keepFinished);
  }

  /** One pass keeping finished jobs for {@code keepFinished}; returns rows deleted. */
  public int cleanOnce(Duration keepFinished) {
    Instant now = clock.instant();
    int total = 0;
    try {
      store.ensureFinishedDays(LocalDate.ofInstant(now, ZoneOffset.UTC), DAYS_AHEAD);
      int n;
      do {
        n = store.cleanFinished(now.minus(keepFinished), now.minus(keepDead), BATCH);
        total += n;
      } while (n >= BATCH);
      do {
        n = store.cleanDedupe(now, BATCH);
      } while (n == BATCH);
    } catch (SQLException e) {
      throw JobQueue.failure("clean finished jobs", e);
    }
    return total;
  }
}
