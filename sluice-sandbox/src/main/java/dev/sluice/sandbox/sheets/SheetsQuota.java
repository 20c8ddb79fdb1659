package dev.sluice.sandbox.sheets;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * The Sheets API's per-minute quotas: read and write requests per user per project and per project,
 * each a window of one clock minute that refills when the minute turns ("refilled every minute").
 * A request counts against both of its kind's limits, or against neither when one is spent. Thread-safe.
 */
final class SheetsQuota {
  /** Which limit refused a request, named as Google names it in its 429 message. */
  record Exceeded(String metric, String limit, String limitId, long secondsLeft) {}

  private final Clock clock;
  private final SheetsOptions options;
  private final Map<String, long[]> windows = new HashMap<>(); // key → {minute, used}

  SheetsQuota(Clock clock, SheetsOptions options) {
    this.clock = clock;
    this.options = options;
  }

  /** Counts one request of {@code token}; null when it fits, else the limit it exceeds. */
  synchronized Exceeded take(String token, boolean write) {
    long millis = clock.millis();
    long minute = Math.floorDiv(millis, 60_000);
    String kind = write ? "Write" : "Read";
    int perUser = write ? options.writesPerMinutePerUser() : options.readsPerMinutePerUser();
    int perProject = write ? options.writesPerMinutePerProject() : options.readsPerMinutePerProject();
    long[] user = window(kind + ":" + token, minute);
    long[] project = window(kind, minute);
    long left = Math.max(1, ((minute + 1) * 60_000 - millis + 999) / 1000);
    if (project[1] >= perProject) return new Exceeded(kind + " requests", kind + " requests per minute", kind + "RequestsPerMinutePerProject", left);
    if (user[1] >= perUser) {
      return new Exceeded(kind + " requests", kind + " requests per minute per user", kind + "RequestsPerMinutePerUser", left);
    }
    user[1]++;
    project[1]++;
    return null;
  }

  private long[] window(String key, long minute) {
    long[] w = windows.computeIfAbsent(key, k -> new long[] {minute, 0});
    if (w[0] != minute) {
      w[0] = minute;
      w[1] = 0;
    }
    return w;
  }
}
