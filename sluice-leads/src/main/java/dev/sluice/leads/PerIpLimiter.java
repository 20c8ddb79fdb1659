package dev.sluice.leads;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-source, per-client-IP token buckets held in this process: {@code n} submissions per minute,
 * refilled continuously. Each node limits on its own (a public form spread over N nodes allows N×);
 * the map forgets full buckets when it grows past {@link #MAX_TRACKED}.
 */
final class PerIpLimiter {
  static final int MAX_TRACKED = 100_000;

  private static final class Bucket {
    double tokens;
    long lastNanos;
  }

  private final Clock clock;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  PerIpLimiter(Clock clock) {
    this.clock = clock;
  }

  /** Empty when {@code ip} may submit to {@code source} now (one token taken); otherwise how long to wait. */
  Optional<Duration> admit(LeadSource source, String ip) {
    int perMinute = source.perIpPerMinute();
    if (perMinute == 0 || ip == null) return Optional.empty();
    if (buckets.size() > MAX_TRACKED) forgetFull();
    long now = nanos();
    double perNano = perMinute / 60e9;
    Bucket b = buckets.computeIfAbsent(source.name() + "|" + ip, k -> {
      Bucket n = new Bucket();
      n.tokens = perMinute;
      n.lastNanos = now;
      return n;
    });
    synchronized (b) {
      b.tokens = Math.min(perMinute, b.tokens + (now - b.lastNanos) * perNano);
      b.lastNanos = now;
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return Optional.empty();
      }
      long waitNanos = (long) Math.ceil((1 - b.tokens) / perNano);
      return Optional.of(Duration.ofNanos(waitNanos));
    }
  }

  private long nanos() {
    Duration d = Duration.between(java.time.Instant.EPOCH, clock.instant());
    return d.toNanos();
  }

  private void forgetFull() {
    long now = nanos();
    buckets.entrySet().removeIf(e -> now - e.getValue().lastNanos > 60_000_000_000L);
  }
}
