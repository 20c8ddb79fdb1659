package dev.sluice.sandbox;

import java.time.Duration;
import java.util.Objects;

/**
 * One kind of fault the sandbox injects into a share of requests. Immutable; build with the static
 * factories and narrow with {@link #onPath} and {@link #times}:
 * <pre>{@code
 * sandbox.faults().add(FaultRule.tooManyRequests(0.2).onPath("/crm/v3/objects/contacts"));
 * sandbox.faults().add(FaultRule.dropConnection(1.0).times(1));
 * }</pre>
 *
 * @param kind what happens to a hit request
 * @param pathPrefix only requests whose path starts with it ({@code null}: every non-admin path)
 * @param rate the share of matching requests hit, 0..1 (drawn from the sandbox's seeded random)
 * @param status the status for {@link Kind#SERVER_ERROR} (500, 502, 503, 504...)
 * @param delay the added latency for {@link Kind#SLOW}
 * @param times how many requests at most this rule hits, or {@code -1} for no limit
 */
public record FaultRule(Kind kind, String pathPrefix, double rate, int status, Duration delay, int times) {

  /** What an injected fault does. */
  public enum Kind {
    /** Answers 429 in the owning platform's shape, without doing the work. */
    TOO_MANY_REQUESTS,
    /** Answers a 5xx with a JSON body, without doing the work. */
    SERVER_ERROR,
    /** Waits {@code delay}, then answers normally. */
    SLOW,
    /** Closes the socket without answering (the client sees a reset / EOF). */
    DROP_CONNECTION,
    /** Does the work, then sends a truncated (unparseable) body with the real status. */
    MALFORMED_BODY
  }

  public FaultRule {
    Objects.requireNonNull(kind, "kind");
    if (rate < 0 || rate > 1) throw new IllegalArgumentException("rate must be within 0..1, got " + rate);
    if (delay == null) delay = Duration.ZERO;
  }

  public static FaultRule tooManyRequests(double rate) {
    return new FaultRule(Kind.TOO_MANY_REQUESTS, null, rate, 429, Duration.ZERO, -1);
  }

  public static FaultRule serverError(int status, double rate) {
    if (status < 500 || status > 599) throw new IllegalArgumentException("server error status must be 5xx, got " + status);
    return new FaultRule(Kind.SERVER_ERROR, null, rate, status, Duration.ZERO, -1);
  }

  public static FaultRule slow(Duration delay, double rate) {
    return new FaultRule(Kind.SLOW, null, rate, 0, delay, -1);
  }

  public static FaultRule dropConnection(double rate) {
    return new FaultRule(Kind.DROP_CONNECTION, null, rate, 0, Duration.ZERO, -1);
  }

  public static FaultRule malformedBody(double rate) {
    return new FaultRule(Kind.MALFORMED_BODY, null, rate, 0, Duration.ZERO, -1);
  }

  /** The same rule limited to paths starting with {@code prefix}. */
  public FaultRule onPath(String prefix) {
    return new FaultRule(kind, prefix, rate, status, delay, times);
  }

  /** The same rule, hitting at most {@code n} requests. */
  public FaultRule times(int n) {
    return new FaultRule(kind, pathPrefix, rate, status, delay, n);
  }

  /** A short label for the journal, e.g. {@code "SERVER_ERROR 503"}. */
  public String label() {
    return switch (kind) {
      case SERVER_ERROR -> kind + " " + status;
      case SLOW -> kind + " " + delay.toMillis() + "ms";
      default -> kind.name();
    };
  }
}
