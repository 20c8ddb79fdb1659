package dev.sluice.queue;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * StaleJobRescuer re-queues jobs whose worker stopped heartbeating (killed, lost its network):
 * RUNNING → RETRYABLE to run at once, or DEAD when the job has no attempt left, once its lease's
 * heartbeat is older than {@link #rescueAfter()} (default {@link #RESCUE_AFTER_DEFAULT}; never less
 * than 3 heartbeat intervals of the worker holding the lease). A job's or kind's timeout is a
 * run-time limit, enforced by the worker's watchdog; it neither delays nor hastens a rescue.
 *
 * <p>With the defaults (heartbeat every {@link JobWorker#HEARTBEAT_INTERVAL_DEFAULT}, rescue after
 * {@link #RESCUE_AFTER_DEFAULT}, a pass every {@link #RUN_INTERVAL_DEFAULT}) the jobs of a killed
 * worker run again within about 20 s. Safe to run in every process at once.
 */
public final class StaleJobRescuer {
  /** Heartbeat staleness after which a running job is rescued. */
  public static final Duration RESCUE_AFTER_DEFAULT = Duration.ofSeconds(15);
  /** How often each worker process runs a rescue pass. */
  public static final Duration RUN_INTERVAL_DEFAULT = Duration.ofSeconds(5);
  /** Rows per rescue statement. */
  static final int BATCH = 1000;

  private final PostgresJobStore store;
  private final Clock clock;
  private final Duration rescueAfter;

  StaleJobRescuer(PostgresJobStore store, Clock clock, Duration rescueAfter) {
    this.store = store;
    this.clock = clock;
    this.rescueAfter = rescueAfter;
  }

  /** The default staleness this rescuer applies. */
  public Duration rescueAfter() {
    return rescueAfter;
  }

  /** One pass: rescues every stale job now; returns the ids rescued. Wakes workers if any. */
  public List<Long> rescueOnce() {
    try {
      List<Long> all = new java.util.ArrayList<>();
      List<Long> batch;
      do {
        batch = store.rescueStale(rescueAfter, BATCH, clock.instant());
        all.addAll(batch);
      } while (batch.size() == BATCH);
      // leases left without a running job (their worker died after its last job was rescued)
      store.rescueLeases(clock.instant().minus(rescueAfter));
      if (!all.isEmpty()) store.notifyReady("rescued");
      return all;
    } catch (SQLException e) {
      throw JobQueue.failure("rescue stale jobs", e);
    }
  }
}
