package dev.sluice.queue.ratelimit;

import java.time.Duration;
import java.time.ZoneId;

/**
 * RateLimit is the immutable configuration of one named token bucket: it holds at most
 * {@link #capacity()} permits and gains {@link #refillTokens()} permits per {@link #refillPeriod()},
 * continuously (a fraction of a permit accrues as time passes).
 *
 * <p><b>What a bucket guarantees.</b> In any interval of length {@code w} a bucket grants at most
 * {@code capacity + refillTokens * w / refillPeriod} permits ({@link #maxPermitsIn(Duration)}):
 * it holds at most {@code capacity} at the start of the interval, gains at most the refill during
 * it, and never goes below zero by granting. This is why {@link #of(long, Duration)} is the wrong
 * tool for an API that counts calls over a <em>rolling</em> window: {@code of(190, 10 s)} starts
 * full and refills 19/s, so it lets 380 calls through in the first 10 seconds. Use
 * {@link #rollingWindow(long, Duration)} or {@link #slidingWindow(long, Duration)} for such APIs
 * (HubSpot: 190 per rolling 10 s).
 *
 * <p><b>Rolling windows.</b> {@link #rollingWindow(long, Duration)} is not a token bucket: it keeps
 * the instants of its grants (an exact log, in the bucket's database row) and grants a permit when
 * fewer than {@code limit} were granted in the window before it. It is the API's own rule, so it
 * runs at the full limit, including a whole window's worth at once, where a token bucket must stay
 * below it. Its {@code capacity} and {@code refillTokens} are both the limit and its refill period
 * is the window.
 *
 * <p><b>Daily quotas.</b> {@link #daily(long, ZoneId)} is a fixed window: {@code limit} permits
 * per calendar day in a time zone, all of them usable at any time of the day, the whole quota
 * again at midnight there (HubSpot: the account's daily limit, reset at the portal's midnight). A
 * token bucket would pace such a quota as if it refilled continuously and hold back most of what
 * the API says remains. {@link RateLimits#observe} sets a daily bucket to the API's own count.
 *
 * <p>Instances are values: equal when their kind, three numbers and zone are equal; thread-safe.
 */
public final class RateLimit {
  /**
   * Share of a sliding window's limit that {@link #slidingWindow(long, Duration)} keeps as burst:
   * 1/50, so the steady rate is 98% of the limit (HubSpot 190/10 s: burst 3, 187 per 10 s) while a
   * short pause of the callers loses little throughput.
   */
  public static final long DEFAULT_SLIDING_WINDOW_BURST_DIVISOR = 50;

  /**
   * Largest {@link #rollingWindow} limit: its log holds one entry per grant in the window, in the
   * bucket's row (8 bytes each), rewritten by every grant.
   */
  public static final long MAX_ROLLING_LIMIT = 10_000;

  private final long capacity;
  private final long refillTokens;
  private final Duration refillPeriod;
  private final boolean rolling;
  /** Set for a {@link #daily} fixed window: midnight in this zone resets it. */
  private final ZoneId resetZone;

  private RateLimit(long capacity, long refillTokens, Duration refillPeriod) {
    this(capacity, refillTokens, refillPeriod, false, null);
  }

  private RateLimit(long capacity, long refillTokens, Duration refillPeriod, boolean rolling, ZoneId resetZone) {
    if (capacity < 1) {
      throw new IllegalArgumentException("rate limit capacity must be at least 1, got " + capacity);
    }
    if (refillTokens < 1) {
      throw new IllegalArgumentException("rate limit refill must be at least 1 permit per period, got " + refillTokens);
    }
    if (refillPeriod == null || refillPeriod.isNegative() || refillPeriod.toNanos() < 1_000) {
      throw new IllegalArgumentException("rate limit refill period must be at least 1 microsecond, got " + refillPeriod);
    }
    if (refillPeriod.getNano() % 1_000 != 0) {
      throw new IllegalArgumentException("rate limit refill period must be whole microseconds, got " + refillPeriod);
    }
    this.capacity = capacity;
    this.refillTokens = refillTokens;
    this.refillPeriod = refillPeriod;
    this.rolling = rolling;
    this.resetZone = resetZone;
  }

  /**
   * A classic token bucket: holds {@code permits}, refills {@code permits} per {@code period}.
   * Bursts up to {@code permits} at once, so up to {@code 2 * permits} in the first period; for an
   * API that enforces a rolling window use {@link #slidingWindow(long, Duration)} instead.
   */
  public static RateLimit of(long permits, Duration period) {
    return new RateLimit(permits, permits, period);
  }

  /** A token bucket with independent capacity and refill. */
  public static RateLimit tokenBucket(long capacity, long refillTokens, Duration refillPeriod) {
    return new RateLimit(capacity, refillTokens, refillPeriod);
  }

  /**
   * A bucket that grants at most {@code limit} permits in <em>any</em> interval of length
   * {@code window} (measured on the clock the buckets are driven by), for APIs that count calls
   * over a rolling window. Burst = {@code max(1, limit / 50)}, refill = {@code limit - burst} per
   * window, so that {@code burst + refill = limit} (see the class comment for the proof) and the
   * sustained rate is about 98% of the limit.
   *
   * <p>The guarantee is about the moments permits are granted. Calls reach the API a little later
   * and not all equally late; if the API's own window must never see more than {@code limit}, add
   * the spread of that delay to the window (e.g. {@code slidingWindow(190, Duration.ofMillis(10_300))}).
   *
   * @throws IllegalArgumentException when {@code limit < 2} (a bucket that grants one permit needs
   *     a refill, and then two can fall in one window)
   */
  public static RateLimit slidingWindow(long limit, Duration window) {
    return slidingWindow(limit, window, Math.max(1, limit / DEFAULT_SLIDING_WINDOW_BURST_DIVISOR));
  }

  /**
   * Like {@link #slidingWindow(long, Duration)} with an explicit burst: a larger burst serves
   * callers that come in clumps, at the price of a lower sustained rate ({@code limit - burst} per
   * window).
   */
  public static RateLimit slidingWindow(long limit, Duration window, long burst) {
    if (limit < 2) {
      throw new IllegalArgumentException("a sliding-window limit must be at least 2 per window, got " + limit);
    }
    if (burst < 1 || burst >= limit) {
      throw new IllegalArgumentException("burst must be between 1 and limit - 1 (" + (limit - 1) + "), got " + burst);
    }
    return new RateLimit(burst, limit - burst, window);
  }

  /**
   * A rolling window: at most {@code limit} permits granted in any interval shorter than
   * {@code window}, and exactly that many available whenever fewer were granted in the last
   * {@code window}. The exact rule of APIs that count calls over a rolling window (HubSpot: 190
   * per 10 s), so callers can use the whole limit; as with {@link #slidingWindow(long, Duration)},
   * lengthen the window by the spread of the delay between grant and call.
   *
   * @throws IllegalArgumentException when {@code limit} is not between 1 and {@link #MAX_ROLLING_LIMIT}
   *     (a daily quota is a token bucket, see {@link RateLimits#observe})
   */
  public static RateLimit rollingWindow(long limit, Duration window) {
    if (limit < 1 || limit > MAX_ROLLING_LIMIT) {
      throw new IllegalArgumentException("a rolling-window limit must be between 1 and " + MAX_ROLLING_LIMIT
          + " per window (use a token bucket, of or slidingWindow, for a larger quota), got " + limit);
    }
    return new RateLimit(limit, limit, window, true, null);
  }

  /**
   * A daily quota as a fixed window: at most {@code limit} permits from one midnight in
   * {@code zone} to the next, all usable at once; at midnight the whole quota is back. A day across
   * a daylight-saving change is 23 or 25 hours long, as the API's own day is.
   */
  public static RateLimit daily(long limit, ZoneId zone) {
    if (zone == null) {
      throw new IllegalArgumentException("a daily limit needs the time zone whose midnight resets it");
    }
    if (zone.normalized() instanceof java.time.ZoneOffset offset) {
      // PostgreSQL reads a bare offset the POSIX way (sign inverted): only UTC is unambiguous.
      if (offset.getTotalSeconds() != 0) {
        throw new IllegalArgumentException("a daily limit's time zone must be a region such as Europe/Berlin or UTC, got " + zone);
      }
      zone = ZoneId.of("UTC");
    }
    return new RateLimit(limit, limit, Duration.ofDays(1), false, zone);
  }

  /** The zone whose midnight resets a {@link #daily} quota; null for the other kinds. */
  public ZoneId resetZone() {
    return resetZone;
  }

  /** True for a {@link #daily} quota. */
  public boolean fixedWindow() {
    return resetZone != null;
  }

  /** True for a {@link #rollingWindow(long, Duration)}: a log of grants rather than a token bucket. */
  public boolean rolling() {
    return rolling;
  }

  /** Most permits the bucket holds (the largest burst). */
  public long capacity() {
    return capacity;
  }

  /** Permits added per {@link #refillPeriod()}. */
  public long refillTokens() {
    return refillTokens;
  }

  public Duration refillPeriod() {
    return refillPeriod;
  }

  /** Refill rate in permits per second. */
  public double permitsPerSecond() {
    return refillTokens * 1_000_000.0 / periodMicros();
  }

  /**
   * Upper bound of permits granted in any interval of length {@code window}:
   * {@code capacity + refillTokens * window / refillPeriod}, rounded down.
   */
  public long maxPermitsIn(Duration window) {
    long windowMicros = window.toNanos() / 1_000;
    if (rolling || resetZone != null) {
      // each stretch of the interval shorter than the window (or each calendar day it touches) sees at most `capacity`
      return capacity * (windowMicros / periodMicros() + (resetZone != null ? 2 : 1));
    }
    return capacity + (long) Math.floor((double) refillTokens * windowMicros / periodMicros());
  }

  long periodMicros() {
    return refillPeriod.toNanos() / 1_000;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RateLimit r && r.rolling == rolling && r.capacity == capacity && r.refillTokens == refillTokens
        && r.refillPeriod.equals(refillPeriod) && java.util.Objects.equals(r.resetZone, resetZone);
  }

  @Override
  public int hashCode() {
    return (Long.hashCode(capacity) * 31 * 31 + Long.hashCode(refillTokens) * 31 + refillPeriod.hashCode()) * 2
        + (rolling ? 1 : 0) + java.util.Objects.hashCode(resetZone) * 7;
  }

  @Override
  public String toString() {
    if (rolling) {
      return "RateLimit[rolling window of " + refillPeriod + ", limit=" + capacity + "]";
    }
    if (resetZone != null) {
      return "RateLimit[daily limit=" + capacity + ", reset at midnight " + resetZone + "]";
    }
    return "RateLimit[capacity=" + capacity + ", refill=" + refillTokens + " per " + refillPeriod + "]";
  }
}
