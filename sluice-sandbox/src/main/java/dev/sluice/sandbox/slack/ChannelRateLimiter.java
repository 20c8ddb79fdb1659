package dev.sluice.sandbox.slack;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slack's per-channel posting limit: one message per {@code interval} in the long run, with bursts
 * of up to {@code burst} messages into a quiet channel. A generic cell rate algorithm: each channel
 * keeps the time its budget is next fully spent ("theoretical arrival time"); a message is admitted
 * when that time is at most {@code (burst - 1) × interval} ahead of now. Thread-safe (one atomic
 * update per channel).
 */
final class ChannelRateLimiter {
  private final Clock clock;
  private final long intervalMillis;
  private final long toleranceMillis;
  private final Map<String, Long> theoreticalArrival = new ConcurrentHashMap<>();

  ChannelRateLimiter(Clock clock, Duration interval, int burst) {
    this.clock = clock;
    this.intervalMillis = interval.toMillis();
    this.toleranceMillis = intervalMillis * (burst - 1L);
  }

  /** 0 when the message may go now (and counts it); else the whole seconds to wait (≥ 1). */
  long tryAcquire(String channelId) {
    long now = clock.millis();
    long[] wait = {0};
    theoreticalArrival.compute(channelId, (k, tat) -> {
      long t = tat == null ? now : Math.max(tat, now);
      long earliest = t - toleranceMillis;
      if (now < earliest) {
        wait[0] = Math.max(1, (earliest - now + 999) / 1000);
        return tat;
      }
      return t + intervalMillis;
    });
    return wait[0];
  }
}
