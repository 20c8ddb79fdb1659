package dev.sluice.sandbox.segment;

import java.time.Clock;

/** At most {@code perSecond} requests in each clock second (a fixed one-second window). Thread-safe. */
final class RequestRateLimiter {
  private final Clock clock;
  private final int perSecond;
  private long windowSecond = Long.MIN_VALUE;
  private int used;

  RequestRateLimiter(Clock clock, int perSecond) {
    this.clock = clock;
    this.perSecond = perSecond;
  }

  /** 0 when the request may proceed (and counts it); else whole seconds until the window ends (≥ 1). */
  synchronized long tryAcquire() {
    long millis = clock.millis();
    long second = Math.floorDiv(millis, 1000);
    if (second != windowSecond) {
      windowSecond = second;
      used = 0;
    }
    if (used >= perSecond) {
      return 1;
    }
    used++;
    return 0;
  }
}
