package dev.sluice.connectors;

import dev.sluice.queue.ratelimit.RateLimit;
import dev.sluice.queue.ratelimit.RateLimitTimeoutException;
import dev.sluice.queue.ratelimit.RateLimits;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link RateLimitGate} over the queue's Postgres-backed {@link RateLimits}: every process that
 * uses a connection draws from the same buckets. The only place connectors touch {@code RateLimits}.
 */
public final class QueueRateLimitGate implements RateLimitGate {

  /**
   * Extra length added to each rolling window: permits are granted a little before the calls reach
   * the API, and not all equally late, so the API's own window must not see the bucket's full limit.
   */
  static final double WINDOW_SPREAD_FRACTION = 0.02;
  /** Lower bound of that spread, for short windows (search: 5 per second). */
  static final Duration MIN_WINDOW_SPREAD = Duration.ofMillis(50);

  private final RateLimits limits;

  private QueueRateLimitGate(RateLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  /** A gate over {@code limits} (e.g. {@code new RateLimits(dataSource, schema, clock)}). */
  public static QueueRateLimitGate of(RateLimits limits) {
    return new QueueRateLimitGate(limits);
  }

  /** Windows up to this long are paced one permit at a time (see {@link #bucket}). */
  static final Duration PACED_WINDOW_MAX = Duration.ofSeconds(2);

  /**
   * The queue bucket for a platform limit counted over a rolling window, the window stretched by
   * the spread:
   * <ul>
   *   <li>short windows (search: 5 per second) get a bucket of one permit refilled at the limit's
   *       rate: grants are then at least window/permits apart, so no window sees more than the
   *       limit even when calls reach the API unevenly late;
   *   <li>windows of up to {@link RateLimit#MAX_ROLLING_LIMIT} permits (HubSpot: 190 per 10 s) get
   *       {@link RateLimit#rollingWindow}, the API's own rule: the whole limit is usable, including
   *       a whole window's worth at once, where a token bucket would have to run below it;
   *   <li>a daily quota that resets at midnight ({@link RateLimitSpec#resetZone()} set; HubSpot:
   *       625,000 a day at the portal's midnight) is {@link RateLimit#daily}, a fixed window: the
   *       whole quota is usable at any time of the day, and the API's own count keeps it honest
   *       ({@link #observe}: HubSpot reports what is left of the day). A token bucket would pace it
   *       as if it refilled continuously and hold back most of what HubSpot says remains;
   *   <li>other larger limits are token buckets refilled at their average rate ({@link RateLimit#of}).
   * </ul>
   */
  static RateLimit bucket(RateLimitSpec spec) {
    if (spec.resetZone() != null) {
      return RateLimit.daily(spec.permits(), spec.resetZone());
    }
    long spreadMicros = Math.max(MIN_WINDOW_SPREAD.toNanos() / 1_000, (long) (spec.window().toNanos() / 1_000 * WINDOW_SPREAD_FRACTION));
    Duration window = spec.window().plusNanos(spreadMicros * 1_000);
    if (spec.permits() < 2 || spec.window().compareTo(PACED_WINDOW_MAX) <= 0) {
      return RateLimit.tokenBucket(1, spec.permits(), window);
    }
    if (spec.permits() <= RateLimit.MAX_ROLLING_LIMIT) {
      return RateLimit.rollingWindow(spec.permits(), window);
    }
    return RateLimit.of(spec.permits(), window);
  }

  /** The concurrency caps on the same database and clock as these buckets. */
  public ConcurrencyGate concurrencyGate() {
    return QueueConcurrencyGate.of(dev.sluice.queue.ratelimit.ConcurrencyLimits.sharing(limits));
  }

  @Override
  public void define(String name, RateLimitSpec limit) {
    limits.define(name, bucket(limit));
  }

  @Override
  public Optional<Duration> acquire(List<String> names, int permits, Duration maxWait) {
    try {
      limits.acquire(names, permits, maxWait);
      return Optional.empty();
    } catch (RateLimitTimeoutException e) {
      Duration wait = e.suggestedWait();
      return Optional.of(wait == null || wait.isNegative() || wait.isZero() ? maxWait : wait);
    }
  }

  @Override
  public void observe(String name, long remaining, Duration windowLeft) {
    limits.observe(name, remaining, windowLeft);
  }

  @Override
  public void throttled(String name) {
    limits.throttled(name);
  }
}
