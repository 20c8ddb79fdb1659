package dev.sluice.sync;

import java.util.Locale;

/** Kinds of entries in a run's append-only event log; the wire name is lowercase with dashes. */
public enum SyncEventType {
  /** The run and its streams were created. Payload: {@code objects}, {@code mode}. */
  RUN_CREATED,
  /** A stream read its first page. Payload: {@code incremental_since} (null for a full read). */
  STREAM_STARTED,
  /** A page's records, checkpoint and this event committed together. Payload: {@code page}, the counts, {@code requests}, {@code position}. */
  PAGE_COMMITTED,
  /** A page failed with a retryable error; the queue retries it. Payload: {@code attempt}, {@code max_attempts}, {@code reason}. */
  RETRY,
  /**
   * The page job comes back later without spending an attempt: the source is rate limiting, or (payload
   * {@code cause: "search-index"}) its search index may still miss changes made before the run started.
   * Payload: {@code wait_ms}, {@code reason}, {@code cause} (search index only).
   */
  SNOOZE,
  /** A stream read its last page. Payload: {@code pages}. */
  STREAM_FINISHED,
  /** A stream gave up. Payload: {@code reason}, {@code page}, {@code position}. */
  STREAM_FAILED,
  /** A stream stopped because the run was cancelled. */
  STREAM_CANCELLED,
  /** The run was cancelled on request. */
  RUN_CANCELLED,
  /** A finished run was resumed. Payload: {@code streams} (the object types re-read). */
  RUN_RESUMED,
  /** The run reached a final status. Payload: {@code status}. */
  RUN_FINISHED;

  public String wire() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static SyncEventType fromWire(String s) {
    return valueOf(s.toUpperCase(Locale.ROOT).replace('-', '_'));
  }
}
