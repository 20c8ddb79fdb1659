package dev.sluice.queue;

import java.time.Duration;

/**
 * KindPolicy is how jobs of one kind are run, stored in the {@code job_kind} table so that every
 * process agrees. Immutable.
 *
 * @param retry            backoff and attempts for failures
 * @param maxRunning       at most this many jobs of the kind run at once across all processes; null = no cap
 * @param maxRunningPerKey at most this many jobs of the kind with the same concurrency key run at once; null = no cap
 * @param timeout          longest a handler may run (the worker's watchdog interrupts it then); null =
 *                         no run-time limit. Rescue from a dead worker does not depend on it (the
 *                         queue's {@code rescueAfter})
 * @param dedupeWindow     how long a dedupe key of the kind stays taken after its enqueue, whatever
 *                         happens to the job; null = {@link #DEDUPE_WINDOW_DEFAULT}
 * @param keepFinished     whether a completed job of the kind leaves a row in {@code job_finished}
 *                         (default true). False saves that INSERT per job (a fifth of the database
 *                         work of a no-op job) for high-volume kinds nobody looks up once done: the
 *                         job then leaves no trace after completion ({@code find} answers empty,
 *                         stats count no completed). Dead and cancelled jobs of the kind still go
 *                         to {@code job_dead}, retryable; dedupe keys are kept in {@code job_dedupe}
 *                         for their window either way
 */
public record KindPolicy(RetryPolicy retry, Integer maxRunning, Integer maxRunningPerKey, Duration timeout,
                         Duration dedupeWindow, boolean keepFinished) {
  /** Dedupe window of a kind that sets none. */
  public static final Duration DEDUPE_WINDOW_DEFAULT = Duration.ofDays(7);
  /** No caps, default retries, default timeout. */
  public static final KindPolicy DEFAULT = new KindPolicy(RetryPolicy.DEFAULT, null, null, null, null, true);

  /** A policy that keeps finished rows. */
  public KindPolicy(RetryPolicy retry, Integer maxRunning, Integer maxRunningPerKey, Duration timeout, Duration dedupeWindow) {
    this(retry, maxRunning, maxRunningPerKey, timeout, dedupeWindow, true);
  }

  /** A policy with the default dedupe window. */
  public KindPolicy(RetryPolicy retry, Integer maxRunning, Integer maxRunningPerKey, Duration timeout) {
    this(retry, maxRunning, maxRunningPerKey, timeout, null);
  }

  public KindPolicy {
    if (retry == null) retry = RetryPolicy.DEFAULT;
    if (maxRunning != null && maxRunning < 1) throw new IllegalArgumentException("maxRunning must be at least 1, got " + maxRunning);
    if (maxRunningPerKey != null && maxRunningPerKey < 1) throw new IllegalArgumentException("maxRunningPerKey must be at least 1, got " + maxRunningPerKey);
    if (timeout != null && (timeout.isNegative() || timeout.isZero())) throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    if (dedupeWindow != null && (dedupeWindow.isNegative() || dedupeWindow.isZero())) throw new IllegalArgumentException("dedupeWindow must be positive, got " + dedupeWindow);
  }

  /** True when claims of this kind must count running jobs first. */
  public boolean isCapped() {
    return maxRunning != null || maxRunningPerKey != null;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link KindPolicy}; not thread-safe. */
  public static final class Builder {
    private RetryPolicy retry = RetryPolicy.DEFAULT;
    private Integer maxRunning;
    private Integer maxRunningPerKey;
    private Duration timeout;
    private Duration dedupeWindow;
    private boolean keepFinished = true;

    public Builder retry(RetryPolicy retry) { this.retry = retry; return this; }
    public Builder maxRunning(Integer maxRunning) { this.maxRunning = maxRunning; return this; }
    public Builder maxRunningPerKey(Integer maxRunningPerKey) { this.maxRunningPerKey = maxRunningPerKey; return this; }
    public Builder timeout(Duration timeout) { this.timeout = timeout; return this; }
    public Builder dedupeWindow(Duration dedupeWindow) { this.dedupeWindow = dedupeWindow; return this; }
    public Builder keepFinished(boolean keep) { this.keepFinished = keep; return this; }

    public KindPolicy build() {
      return new KindPolicy(retry, maxRunning, maxRunningPerKey, timeout, dedupeWindow, keepFinished);
    }
  }
}
