package dev.sluice.sandbox.salesforce;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * The org's rolling 24-hour API request allocation. Calls are counted in one-minute buckets, so a
 * call stops counting 24 hours (to the minute) after it was made. Thread-safe.
 */
final class ApiAllocation {
  static final Duration WINDOW = Duration.ofHours(24);
  private static final long BUCKET_MILLIS = 60_000;

  private final Clock clock;
  private volatile long limit;
  private final TreeMap<Long, Long> buckets = new TreeMap<>();
  private long used;

  ApiAllocation(Clock clock, long limit) {
    this.clock = clock;
    this.limit = limit;
  }

  /** Counts one call when the allocation has room; false when it is spent. */
  synchronized boolean tryAcquire() {
    expire();
    if (used >= limit) {
      return false;
    }
    buckets.merge(clock.millis() / BUCKET_MILLIS, 1L, Long::sum);
    used++;
    return true;
  }

  synchronized long used() {
    expire();
    return used;
  }

  long limit() {
    return limit;
  }

  void setLimit(long limit) {
    this.limit = limit;
  }

  synchronized void reset() {
    buckets.clear();
    used = 0;
  }

  /** The {@code Sforce-Limit-Info} header value. */
  String header() {
    return "api-usage=" + used() + "/" + limit;
  }

  private void expire() {
    long oldestKept = (clock.millis() - WINDOW.toMillis()) / BUCKET_MILLIS;
    while (!buckets.isEmpty() && buckets.firstKey() < oldestKept) {
      Map.Entry<Long, Long> e = buckets.pollFirstEntry();
      used -= e.getValue();
    }
  }
}
