package dev.sluice.connectors;

import java.time.Duration;
import java.util.Objects;

/**
 * A platform limit: at most {@code permits} requests per {@code window}.
 *
 * @param permits requests allowed per window, at least 1
 * @param window the window, e.g. 10 seconds or 1 day
 * @param resetZone for a daily quota (window of one day): the time zone whose midnight resets it, a
 *     fixed window rather than a rolling one; null for rolling windows
 */
public record RateLimitSpec(long permits, Duration window, java.time.ZoneId resetZone) {

  /** A limit over a rolling window. */
  public RateLimitSpec(long permits, Duration window) {
    this(permits, window, null);
  }

  public RateLimitSpec {
    Objects.requireNonNull(window, "window");
    if (permits < 1) {
      throw new IllegalArgumentException("a rate limit needs at least 1 permit, got " + permits);
    }
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("a rate limit needs a positive window, got " + window);
    }
    if (resetZone != null && !window.equals(Duration.ofDays(1))) {
      throw new IllegalArgumentException("only a daily limit resets at midnight, got a window of " + window);
    }
  }

  /** True for a limit of one calendar day (it resets at midnight, see {@link #resettingAt}). */
  public boolean daily() {
    return window.equals(Duration.ofDays(1));
  }

  /** This daily limit as a fixed window reset at midnight in {@code zone}. */
  public RateLimitSpec resettingAt(java.time.ZoneId zone) {
    return new RateLimitSpec(permits, window, java.util.Objects.requireNonNull(zone, "zone"));
  }

  public static RateLimitSpec of(long permits, Duration window) {
    return new RateLimitSpec(permits, window);
  }

  /**
   * Parses {@code "<permits>/<window>"} as written in {@code sluice.yaml}: the window is a number
   * with a unit {@code ms}, {@code s}, {@code m}, {@code h} or {@code d} (e.g. {@code "190/10s"},
   * {@code "625000/1d"}, {@code "5/1s"}), or an ISO-8601 duration ({@code "100/PT10S"}).
   *
   * @throws IllegalArgumentException with the reason when the text is not such a limit
   */
  public static RateLimitSpec parse(String text) {
    String t = text == null ? "" : text.trim();
    int slash = t.indexOf('/');
    if (slash <= 0 || slash == t.length() - 1) {
      throw new IllegalArgumentException("rate limit '" + text + "' must look like 190/10s (permits/window)");
    }
    long permits;
    try {
      permits = Long.parseLong(t.substring(0, slash).trim().replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("rate limit '" + text + "': '" + t.substring(0, slash) + "' is not a whole number of permits");
    }
    String w = t.substring(slash + 1).trim().toLowerCase(java.util.Locale.ROOT);
    Duration window;
    try {
      if (w.startsWith("p")) {
        window = Duration.parse(w.toUpperCase(java.util.Locale.ROOT));
      } else {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)").matcher(w);
        if (!m.matches()) {
          throw new IllegalArgumentException();
        }
        long n = Long.parseLong(m.group(1));
        window = switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        };
      }
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("rate limit '" + text + "': window '" + t.substring(slash + 1)
          + "' must be like 10s, 1d, 500ms or PT10S");
    }
    return new RateLimitSpec(permits, window);
  }

  @Override
  public String toString() {
    return permits + "/" + window + (resetZone == null ? "" : " (reset at midnight " + resetZone + ")");
  }
}
