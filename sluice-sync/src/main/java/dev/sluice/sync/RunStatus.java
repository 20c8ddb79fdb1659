package dev.sluice.sync;

import java.util.Locale;

/**
 * Status of a sync run, projected from its event log (see {@code docs/mirror.md} for the state
 * machine). On the wire (HTTP, CLI, the {@code sync_run.status} column) the lowercase name is used:
 * {@link #wire()}.
 */
public enum RunStatus {
  /** Created, no page read yet. */
  PENDING,
  /** At least one stream is reading pages. */
  PROCESSING,
  /** A stream hit a retryable error and waits for its retry (backoff); nothing failed for good yet. */
  RETRYING,
  /** Every stream completed. */
  COMPLETED,
  /** Some streams completed, some failed; {@link SyncEngine#resume(long)} re-reads only the failed ones. */
  PARTIALLY_COMPLETED,
  /** Every stream failed (or the connection's credentials were refused). */
  FAILED,
  /** Cancelled on request; streams stop after the page in flight. */
  CANCELLED;

  /** True for pending, processing and retrying: the states a trigger coalesces into. */
  public boolean active() {
    return this == PENDING || this == PROCESSING || this == RETRYING;
  }

  /** The lowercase wire name, e.g. {@code "partially_completed"}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a wire name (case-insensitive); unknown names throw {@link IllegalArgumentException} listing the valid ones. */
  public static RunStatus fromWire(String s) {
    for (RunStatus v : values()) {
      if (v.wire().equalsIgnoreCase(s == null ? "" : s.trim())) {
        return v;
      }
    }
    throw new IllegalArgumentException("unknown run status '" + s
        + "' (expected one of pending, processing, retrying, completed, partially_completed, failed, cancelled)");
  }
}
