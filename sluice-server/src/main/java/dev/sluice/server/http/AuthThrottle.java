package dev.sluice.server.http;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down guessing of the API token: per client address, the first {@link #FREE_FAILURES}
 * failed authentications cost nothing, each further one closes the door for twice as long as the
 * one before (1 s, 2 s, 4 s … at most {@link #MAX_DELAY}), during which every request from that
 * address is answered 429 with {@code Retry-After} without looking at its token. No thread sleeps:
 * a closed door is one map lookup. A success, or {@link #FORGET_AFTER} without a failure, clears the
 * address's record. Thread-safe; at most {@link #MAX_CLIENTS} addresses are remembered.
 */
final class AuthThrottle {
  static final int FREE_FAILURES = 10;
  static final Duration FIRST_DELAY = Duration.ofSeconds(1);
  static final Duration MAX_DELAY = Duration.ofSeconds(60);
  static final Duration FORGET_AFTER = Duration.ofMinutes(15);
  static final int MAX_CLIENTS = 10_000;

  private record Failures(int count, Instant last) {}

  private final Clock clock;
  private final ConcurrentHashMap<String, Failures> failures = new ConcurrentHashMap<>();

  AuthThrottle(Clock clock) {
    this.clock = clock;
  }

  /** Whole seconds {@code client} must still wait before it may try a token, or 0. */
  long retryAfterSeconds(String client) {
    Failures f = failures.get(client);
    if (f == null || f.count() <= FREE_FAILURES) return 0;
    Instant until = f.last().plus(delay(f.count()));
    Duration left = Duration.between(clock.instant(), until);
    if (left.isNegative() || left.isZero()) return 0;
    return Math.max(1, (left.toMillis() + 999) / 1000);
  }

  void failed(String client) {
    Instant now = clock.instant();
    if (failures.size() >= MAX_CLIENTS) forgetOld(now);
    failures.merge(client, new Failures(1, now), (old, one) ->
        old.last().plus(FORGET_AFTER).isBefore(now) ? one : new Failures(old.count() + 1, now));
  }

  void succeeded(String client) {
    failures.remove(client);
  }

  private static Duration delay(int count) {
    int doublings = Math.min(count - FREE_FAILURES - 1, 30);
    Duration d = FIRST_DELAY.multipliedBy(1L << doublings);
    return d.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : d;
  }

  private void forgetOld(Instant now) {
    failures.values().removeIf(f -> f.last().plus(FORGET_AFTER).isBefore(now));
    // still full (a scan from many addresses): start over rather than grow without bound
    if (failures.size() >= MAX_CLIENTS) failures.clear();
  }
}
