package dev.sluice.queue;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * RetryPolicy says how long a failed job waits before its next attempt and how many attempts it
 * gets: exponential backoff {@code base * 2^(attempt-1)} capped at {@code max}, spread by
 * ±{@code jitter} (a fraction, 0–1) so that jobs failing together do not retry together.
 * Immutable; the {@code with}-style methods return a copy.
 */
public final class RetryPolicy {
  /** Attempts a job gets when neither the job nor its kind says otherwise. */
  public static final int DEFAULT_MAX_ATTEMPTS = 25;
  /** Used for kinds without a configured policy: 1 s, 2 s, 4 s … capped at 1 h, ±20 %, 25 attempts. */
  public static final RetryPolicy DEFAULT = new RetryPolicy(Duration.ofSeconds(1), Duration.ofHours(1), 0.2, DEFAULT_MAX_ATTEMPTS);

  private final Duration base;
  private final Duration max;
  private final double jitter;
  private final int maxAttempts;

  private RetryPolicy(Duration base, Duration max, double jitter, int maxAttempts) {
    Objects.requireNonNull(base, "base");
    Objects.requireNonNull(max, "max");
    if (base.isNegative() || base.isZero()) throw new IllegalArgumentException("retry base delay must be positive, got " + base);
    if (max.compareTo(base) < 0) throw new IllegalArgumentException("retry max delay " + max + " is shorter than the base " + base);
    if (!(jitter >= 0 && jitter <= 1)) throw new IllegalArgumentException("jitter must be between 0 and 1, got " + jitter);
    if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
    this.base = base;
    this.max = max;
    this.jitter = jitter;
    this.maxAttempts = maxAttempts;
  }

  /** Exponential backoff from {@code base} up to {@code max}, jitter 0.2, {@value #DEFAULT_MAX_ATTEMPTS} attempts. */
  public static RetryPolicy exponential(Duration base, Duration max) {
    return new RetryPolicy(base, max, 0.2, DEFAULT_MAX_ATTEMPTS);
  }

  public static Builder builder() {
    return new Builder();
  }

  public RetryPolicy jitter(double jitter) {
    return new RetryPolicy(base, max, jitter, maxAttempts);
  }

  public RetryPolicy maxAttempts(int maxAttempts) {
    return new RetryPolicy(base, max, jitter, maxAttempts);
  }

  public Duration base() { return base; }
  public Duration max() { return max; }
  public double jitter() { return jitter; }
  public int maxAttempts() { return maxAttempts; }

  /** The backoff before the attempt after {@code failedAttempt} (1-based), without jitter. */
  public Duration nominalDelay(int failedAttempt) {
    int shift = Math.max(0, Math.min(failedAttempt - 1, 40));
    long baseMillis = base.toMillis();
    long millis = baseMillis > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : baseMillis << shift;
    return Duration.ofMillis(Math.min(millis, max.toMillis()));
  }

  /** The backoff after {@code failedAttempt}, jittered with {@code random}; never above {@code max}. */
  public Duration delay(int failedAttempt, RandomGenerator random) {
    long nominal = nominalDelay(failedAttempt).toMillis();
    double factor = 1 + jitter * (2 * random.nextDouble() - 1);
    long millis = Math.round(nominal * factor);
    return Duration.ofMillis(Math.max(0, Math.min(millis, max.toMillis())));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RetryPolicy p && p.base.equals(base) && p.max.equals(max) && p.jitter == jitter && p.maxAttempts == maxAttempts;
  }

  @Override
  public int hashCode() {
    return Objects.hash(base, max, jitter, maxAttempts);
  }

  @Override
  public String toString() {
    return "RetryPolicy[base=" + base + ", max=" + max + ", jitter=" + jitter + ", maxAttempts=" + maxAttempts + "]";
  }

  /** Builds a {@link RetryPolicy}; starts from {@link #DEFAULT}'s values. */
  public static final class Builder {
    private Duration base = DEFAULT.base;
    private Duration max = DEFAULT.max;
    private double jitter = DEFAULT.jitter;
    private int maxAttempts = DEFAULT.maxAttempts;

    public Builder base(Duration base) { this.base = base; return this; }
    public Builder max(Duration max) { this.max = max; return this; }
    public Builder jitter(double jitter) { this.jitter = jitter; return this; }
    public Builder maxAttempts(int maxAttempts) { this.maxAttempts = maxAttempts; return this; }

    public RetryPolicy build() {
      return new RetryPolicy(base, max, jitter, maxAttempts);
    }
  }
}
