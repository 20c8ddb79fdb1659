package dev.sluice.connectors;

import java.time.Duration;
import java.util.Objects;

/**
 * A token-bucket limit: at most {@code permits} requests per {@code window}.
 *
 * @param permits requests allowed per window, at least 1
 * @param window the window, e.g. 10 seconds or 1 day
 */
public record RateLimitSpec(long permits, Duration window) {

  public RateLimitSpec {
    Objects.requireNonNull(window, "window");
    if (permits < 1) {
      throw new IllegalArgumentException("a rate limit needs at least 1 permit, got " + permits);
    }
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("a rate limit needs a positive window, got " + window);
    }
  }

  public static RateLimitSpec of(long permits, Duration window) {
    return new RateLimitSpec(permits, window);
  }

  @Override
  public String toString() {
    return permits + "/" + window;
  }
}
