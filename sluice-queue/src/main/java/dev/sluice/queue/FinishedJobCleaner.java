package dev.sluice.queue;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * FinishedJobCleaner deletes finished jobs past their retention, in small batches so that it never
 * holds many row locks or a long transaction (which would hold back vacuum for the whole queue).
 * Completed, cancelled and shadowed jobs are kept {@link #KEEP_FINISHED_DEFAULT}, dead ones
 * {@link #KEEP_DEAD_DEFAULT}; a row holding a dedupe key is kept at least the dedupe window
 * ({@link #DEDUPE_WINDOW_DEFAULT}) after it finished, so the key keeps answering "duplicate".
 * Safe to run in every process at once.
 */
public final class FinishedJobCleaner {
  public static final Duration KEEP_FINISHED_DEFAULT = Duration.ofDays(1);
  public static final Duration KEEP_DEAD_DEFAULT = Duration.ofDays(7);
  public static final Duration DEDUPE_WINDOW_DEFAULT = Duration.ofDays(1);
  /** How often each worker process runs a cleaning pass. */
  public static final Duration RUN_INTERVAL_DEFAULT = Duration.ofMinutes(1);
  /** Rows per delete statement. */
  static final int BATCH = 1000;

  private final PostgresJobStore store;
  private final Clock clock;
  private final Duration keepFinished;
  private final Duration keepDead;
  private final Duration dedupeWindow;

  FinishedJobCleaner(PostgresJobStore store, Clock clock, Duration keepFinished, Duration keepDead, Duration dedupeWindow) {
    this.store = store;
    this.clock = clock;
    this.keepFinished = keepFinished;
    this.keepDead = keepDead;
    this.dedupeWindow = dedupeWindow;
  }

  /** One pass with the configured retention; returns rows deleted. */
  public int cleanOnce() {
    return cleanOnce(keepFinished);
  }

  /** One pass keeping finished jobs for {@code keepFinished}; returns rows deleted. */
  public int cleanOnce(Duration keepFinished) {
    Instant now = clock.instant();
    int total = 0;
    try {
      int n;
      do {
        n = store.cleanFinished(now.minus(keepFinished), now.minus(keepDead), now.minus(dedupeWindow), BATCH);
        total += n;
      } while (n == BATCH);
    } catch (SQLException e) {
      throw JobQueue.failure("clean finished jobs", e);
    }
    return total;
  }
}
