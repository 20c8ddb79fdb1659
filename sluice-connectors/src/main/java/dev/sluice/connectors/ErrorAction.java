package dev.sluice.connectors;

import java.time.Duration;
import java.util.Objects;

/**
 * What the orchestrator does after a failed connector call, decided by {@link
 * Connector#handleError}.
 *
 * @param decision what to do
 * @param delay for {@link Decision#RETRY} and {@link Decision#SNOOZE}: how long to wait first; zero otherwise
 * @param reason one line for the run's events
 */
public record ErrorAction(Decision decision, Duration delay, String reason) {

  /** Backoff after the first transient failure, doubled per attempt up to {@link #MAX_BACKOFF}. */
  public static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  /** Longest backoff between two tries of a transient failure. */
  public static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
  /** Tries of a transient failure before the call is given up. */
  public static final int MAX_ATTEMPTS = 8;
  /** Tries of an unreadable answer before the call is given up (it rarely fixes itself). */
  public static final int MAX_MALFORMED_ATTEMPTS = 3;

  /** The orchestrator's choices. */
  public enum Decision {
    /** Try the same call again after {@link #delay()}; the try counts as an attempt. */
    RETRY,
    /** Try the same call again after {@link #delay()} without spending an attempt (rate limit, concurrency cap). */
    SNOOZE,
    /** The call will not succeed: record the batch's records as failed with the reason, go on with the next batch. */
    FAIL_BATCH,
    /** Nothing on this connection can succeed (credentials rejected): stop the run, tell the operator. */
    STOP
  }

  public ErrorAction {
    Objects.requireNonNull(decision, "decision");
    delay = delay == null || delay.isNegative() ? Duration.ZERO : delay;
    Objects.requireNonNull(reason, "reason");
  }

  /** The default policy of {@link Connector#handleError}, from the failure's kind. */
  public static ErrorAction byKind(ConnectorException e, int attempt) {
    String msg = e.getMessage() == null ? e.kind().name() : e.getMessage();
    return switch (e.kind()) {
      case RATE_LIMITED -> new ErrorAction(Decision.SNOOZE, e.retryAfter(), msg);
      case RETRYABLE -> attempt >= MAX_ATTEMPTS
          ? new ErrorAction(Decision.FAIL_BATCH, Duration.ZERO, "gave up after " + attempt + " tries: " + msg)
          : new ErrorAction(Decision.RETRY, backoff(attempt), msg);
      case MALFORMED -> attempt >= MAX_MALFORMED_ATTEMPTS
          ? new ErrorAction(Decision.FAIL_BATCH, Duration.ZERO, "gave up after " + attempt + " unreadable answers: " + msg)
          : new ErrorAction(Decision.RETRY, backoff(attempt), msg);
      case PERMANENT_BATCH, PERMANENT_RECORD -> new ErrorAction(Decision.FAIL_BATCH, Duration.ZERO, msg);
      case AUTH -> new ErrorAction(Decision.STOP, Duration.ZERO, msg);
    };
  }

  /** {@link #FIRST_BACKOFF} doubled per attempt after the first, capped at {@link #MAX_BACKOFF}. */
  public static Duration backoff(int attempt) {
    int doublings = Math.max(0, Math.min(attempt - 1, 20));
    Duration d = FIRST_BACKOFF.multipliedBy(1L << doublings);
    return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
  }
}
