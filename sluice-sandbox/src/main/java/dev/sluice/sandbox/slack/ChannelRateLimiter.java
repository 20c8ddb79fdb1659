package dev.sluice.sandbox.slack;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slack's per-channel posting limit: at most one message per {@code interval} in each channel.
 * Thread-safe (one atomic update per channel).
 */
final class ChannelRateLimiter {
  private final Clock clock;
  private final long intervalMillis;
  private final Map<String, Long> lastAccepted = new ConcurrentHashMap<>();

  ChannelRateLimiter(Clock clock, Duration interval) {
    this.clock = clock;
    this.intervalMillis = interval.toMillis();
  }

  /** 0 when the message may go now (and counts it); else the whole seconds to wait (≥ 1). */
  long tryAcquire(String channelId) {
    long now = clock.millis();
    long[] wait = {0};
    lastAccepted.compute(channelId, (k, last) -> {
      if (last != null && now - last < intervalMillis) {
        wait[0] = Math.max(1, (last + intervalMillis - now + 999) / 1000);
        return last;
      }
      return now;
    });
    return wait[0];
  }
}
