package dev.sluice.queue.ratelimit;

import java.time.Duration;
import java.util.List;

/**
 * RateLimitTimeoutException is thrown by {@link RateLimits#acquire} when the permits cannot be had
 * within the caller's maximum wait. No permit was taken from any bucket. A job handler can turn it
 * into {@code throw new JobSnooze(e.suggestedWait())} to come back when the buckets have refilled.
 */
public class RateLimitTimeoutException extends RuntimeException {
  private final List<String> names;
  private final int permits;
  private final Duration maxWait;
  private final Duration suggestedWait;

  RateLimitTimeoutException(List<String> names, int permits, Duration maxWait, Duration suggestedWait) {
    super("rate limit " + String.join(" + ", names) + ": " + permits + " permit(s) not available within "
        + maxWait + " (next chance in about " + suggestedWait + ")");
    this.names = List.copyOf(names);
    this.permits = permits;
    this.maxWait = maxWait;
    this.suggestedWait = suggestedWait;
  }

  public List<String> names() {
    return names;
  }

  public int permits() {
    return permits;
  }

  public Duration maxWait() {
    return maxWait;
  }

  /** How long after the failed attempt the buckets were expected to hold enough permits. */
  public Duration suggestedWait() {
    return suggestedWait;
  }
}
