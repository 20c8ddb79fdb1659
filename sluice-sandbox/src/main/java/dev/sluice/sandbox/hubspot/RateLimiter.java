package dev.sluice.sandbox.hubspot;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * HubSpot's private-app limits, per token: a rolling 10-second window, a daily cap (the portal's
 * day: it resets at midnight in the portal's time zone), and the search endpoints' own rolling
 * one-second window. Calls turned away are not counted.
 * Thread-safe (one lock per token).
 */
final class RateLimiter {
  static final long WINDOW_MILLIS = 10_000;
  static final long SEARCH_WINDOW_MILLIS = 1_000;

  /** Which limits a request is subject to. */
  enum CallClass {
    /** Counts against the 10-second window and the day. */
    STANDARD,
    /** Search: its own per-second limit, and the day. */
    SEARCH,
    /** v4 association batch calls: the day only. */
    DAILY_ONLY
  }

  /** The answer for one call. {@code policy} is null when allowed. */
  record Decision(String policy, int windowMax, int windowRemaining, long dailyMax, long dailyRemaining, long retryAfterMillis) {
    boolean allowed() {
      return policy == null;
    }
  }

  private final Clock clock;
  private final java.time.ZoneId zone;
  private volatile int perWindow;
  private volatile long perDay;
  private volatile int searchPerSecond;
  private final Map<String, Usage> usage = new ConcurrentHashMap<>();

  private static final class Usage {
    final ArrayDeque<Long> window = new ArrayDeque<>();
    final ArrayDeque<Long> searchWindow = new ArrayDeque<>();
    long day = -1;
    long dayCount;
  }

  RateLimiter(Clock clock, java.time.ZoneId zone, int perWindow, long perDay, int searchPerSecond) {
    this.clock = clock;
    this.zone = zone;
    this.perWindow = perWindow;
    this.perDay = perDay;
    this.searchPerSecond = searchPerSecond;
  }

  void setLimits(int perWindow, long perDay, int searchPerSecond) {
    this.perWindow = perWindow;
    this.perDay = perDay;
    this.searchPerSecond = searchPerSecond;
  }

  int perWindow() {
    return perWindow;
  }

  long perDay() {
    return perDay;
  }

  int searchPerSecond() {
    return searchPerSecond;
  }

  void reset() {
    usage.clear();
  }

  /** Adds {@code calls} to the token's count for today (see {@link HubSpotSandbox#countDailyCalls}); returns what is left. */
  long countDaily(String token, long calls) {
    if (calls < 0) throw new IllegalArgumentException("calls must not be negative");
    Usage u = usage.computeIfAbsent(token, t -> new Usage());
    synchronized (u) {
      long day = java.time.Instant.ofEpochMilli(clock.millis()).atZone(zone).toLocalDate().toEpochDay();
      if (day != u.day) {
        u.day = day;
        u.dayCount = 0;
      }
      u.dayCount = Math.min(perDay, u.dayCount + calls);
      return perDay - u.dayCount;
    }
  }

  Decision acquire(String token, CallClass callClass) {
    Usage u = usage.computeIfAbsent(token, t -> new Usage());
    long now = clock.millis();
    int max = perWindow;
    long dayMax = perDay;
    synchronized (u) {
      java.time.LocalDate date = java.time.Instant.ofEpochMilli(now).atZone(zone).toLocalDate();
      long day = date.toEpochDay();
      if (day != u.day) {
        u.day = day;
        u.dayCount = 0;
      }
      prune(u.window, now - WINDOW_MILLIS);
      prune(u.searchWindow, now - SEARCH_WINDOW_MILLIS);
      if (u.dayCount >= dayMax) {
        long untilMidnight = date.plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli() - now;
        return new Decision("DAILY", max, remaining(max, u.window), dayMax, 0, untilMidnight);
      }
      switch (callClass) {
        case STANDARD -> {
          if (u.window.size() >= max) {
            long wait = u.window.peekFirst() + WINDOW_MILLIS - now;
            return new Decision("TEN_SECONDLY_ROLLING", max, 0, dayMax, dayMax - u.dayCount, Math.max(1, wait));
          }
          u.window.addLast(now);
        }
        case SEARCH -> {
          if (u.searchWindow.size() >= searchPerSecond) {
            long wait = u.searchWindow.peekFirst() + SEARCH_WINDOW_MILLIS - now;
            return new Decision("SECONDLY", max, remaining(max, u.window), dayMax, dayMax - u.dayCount, Math.max(1, wait));
          }
          u.searchWindow.addLast(now);
        }
        case DAILY_ONLY -> { }
      }
      u.dayCount++;
      return new Decision(null, max, remaining(max, u.window), dayMax, dayMax - u.dayCount, 0);
    }
  }

  private static int remaining(int max, ArrayDeque<Long> window) {
    return Math.max(0, max - window.size());
  }

  private static void prune(ArrayDeque<Long> window, long olderThanOrAt) {
    // A call at exactly now-10s left the rolling window.
    while (!window.isEmpty() && window.peekFirst() <= olderThanOrAt) window.removeFirst();
  }
}
