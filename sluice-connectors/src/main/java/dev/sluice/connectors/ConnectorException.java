package dev.sluice.connectors;

import java.time.Duration;
import java.util.Objects;

/**
 * A connector call failed; {@link #kind()} says what the caller should do about it.
 *
 * <ul>
 *   <li>{@link Kind#RETRYABLE}: transient (5xx, timeout, connection reset); retry with backoff.
 *   <li>{@link Kind#RATE_LIMITED}: come back after {@link #retryAfter()} without spending an attempt
 *       (a queue snooze).
 *   <li>{@link Kind#PERMANENT_RECORD}: one record was rejected; the rest of the batch is fine.
 *   <li>{@link Kind#PERMANENT_BATCH}: the whole request was rejected (e.g. 400); retrying will not
 *       help.
 *   <li>{@link Kind#AUTH}: the credentials were rejected; the message names the connection and what
 *       to fix. Retrying will not help.
 *   <li>{@link Kind#MALFORMED}: the platform answered something unreadable; the message carries the
 *       page position. Retry a few times, then fail the stream.
 * </ul>
 */
public final class ConnectorException extends Exception {

  /** What the caller should do. */
  public enum Kind {
    RETRYABLE,
    RATE_LIMITED,
    PERMANENT_RECORD,
    PERMANENT_BATCH,
    AUTH,
    MALFORMED;

    /** True when retrying the same call later can succeed. */
    public boolean transientFailure() {
      return this == RETRYABLE || this == RATE_LIMITED || this == MALFORMED;
    }
  }

  private final Kind kind;
  private final Duration retryAfter;
  private final int httpStatus;

  /**
   * @param kind what to do
   * @param message one line for operators
   * @param retryAfter how long to wait before the next call; required for RATE_LIMITED, else may be null
   * @param httpStatus the HTTP status that caused it, or 0 when there was none (I/O error, parse error)
   * @param cause the underlying error, may be null
   */
  public ConnectorException(Kind kind, String message, Duration retryAfter, int httpStatus, Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
    if (kind == Kind.RATE_LIMITED && retryAfter == null) {
      throw new IllegalArgumentException("RATE_LIMITED needs a wait");
    }
    this.retryAfter = retryAfter;
    this.httpStatus = httpStatus;
  }

  public static ConnectorException retryable(String message, int httpStatus, Throwable cause) {
    return new ConnectorException(Kind.RETRYABLE, message, null, httpStatus, cause);
  }

  /**
   * A server error ({@code 5xx}) whose answer may name a wait ({@code Retry-After}, else null):
   * sync runs back off as for any RETRYABLE failure, rule actions wait exactly that long.
   */
  public static ConnectorException serverError(String message, int httpStatus, java.util.Optional<Duration> retryAfter) {
    return new ConnectorException(Kind.RETRYABLE, message, retryAfter.orElse(null), httpStatus, null);
  }

  public static ConnectorException rateLimited(String message, Duration wait, int httpStatus) {
    return new ConnectorException(Kind.RATE_LIMITED, message, wait, httpStatus, null);
  }

  public static ConnectorException auth(String message, int httpStatus) {
    return new ConnectorException(Kind.AUTH, message, null, httpStatus, null);
  }

  public static ConnectorException malformed(String message, Throwable cause) {
    return new ConnectorException(Kind.MALFORMED, message, null, 0, cause);
  }

  public static ConnectorException permanentBatch(String message, int httpStatus) {
    return new ConnectorException(Kind.PERMANENT_BATCH, message, null, httpStatus, null);
  }

  public static ConnectorException permanentRecord(String message, int httpStatus) {
    return new ConnectorException(Kind.PERMANENT_RECORD, message, null, httpStatus, null);
  }

  /** What the caller should do. */
  public Kind kind() {
    return kind;
  }

  /** How long to wait before the next call: always set for RATE_LIMITED, otherwise null or a hint. */
  public Duration retryAfter() {
    return retryAfter;
  }

  /** The HTTP status behind this failure, or 0 when there was no response. */
  public int httpStatus() {
    return httpStatus;
  }
}
