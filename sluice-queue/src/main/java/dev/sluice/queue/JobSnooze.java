package dev.sluice.queue;

import java.time.Duration;

/**
 * Thrown by a handler to run the job again after {@code waitTime} without spending an attempt,
 * e.g. when a rate limit says "come back in 8 s". The job goes back to READY.
 */
public class JobSnooze extends RuntimeException {
  private final Duration waitTime;

  public JobSnooze(Duration waitTime) {
    super("snoozed for " + waitTime, null, false, false);
    if (waitTime == null || waitTime.isNegative()) throw new IllegalArgumentException("snooze wait must be zero or positive");
    this.waitTime = waitTime;
  }

  /** How long to wait before the job may run again. */
  public Duration waitTime() {
    return waitTime;
  }
}
