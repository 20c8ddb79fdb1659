package dev.sluice.sync;

import java.util.Locale;

/** Status of one stream (one object type) of a run; lowercase on the wire: {@link #wire()}. */
public enum StreamStatus {
  /** Waiting for its first page job. */
  PENDING,
  /** Reading pages. */
  PROCESSING,
  /** Its page job failed with a retryable error and waits for the queue's retry. */
  RETRYING,
  /** Read to the end. */
  COMPLETED,
  /** Gave up (retries exhausted, permanent error, refused credentials); resumable from its checkpoint. */
  FAILED,
  /** Stopped because the run was cancelled. */
  CANCELLED;

  public boolean terminal() {
    return this == COMPLETED || this == FAILED || this == CANCELLED;
  }

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static StreamStatus fromWire(String s) {
    return valueOf(s.toUpperCase(Locale.ROOT));
  }
}
