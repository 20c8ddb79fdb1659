package dev.sluice.connectors;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One page of a stream, as read by {@link SourceConnector#fetchRecords(StreamRequest)}.
 *
 * <p>A page may hold the same external id twice only across pages (e.g. a record listed as active,
 * then archived); the caller upserts, so the last one wins. A page may be empty and not done (e.g.
 * the end of the active phase before the archived phase starts).
 *
 * @param records the records of this page (never null, may be empty)
 * @param nextCheckpoint where the next page starts; save it in the same transaction as this page's
 *     records. Null only when {@code streamDone}.
 * @param streamDone true when there is nothing after this page
 * @param requestsUsed HTTP requests this page cost (for the run's counters and the benchmark)
 * @param position human-readable position for events and errors, e.g.
 *     {@code "contacts list after=12345 (phase active)"}
 * @param readAt when the connector started reading this page from the platform (a page read ahead
 *     was read before it was asked for), or null when it does not say: the sync engine then takes the
 *     moment it asked. The mirror lets a page read later win over one read earlier.
 */
public record Page(
    List<SourceRecord> records, String nextCheckpoint, boolean streamDone, int requestsUsed, String position,
    Instant readAt) {

  public Page {
    records = List.copyOf(records);
    Objects.requireNonNull(position, "position");
    if (!streamDone && nextCheckpoint == null) {
      throw new IllegalArgumentException("a page that is not the last needs a next checkpoint");
    }
  }

  /** A page that does not say when it was read. */
  public Page(List<SourceRecord> records, String nextCheckpoint, boolean streamDone, int requestsUsed, String position) {
    this(records, nextCheckpoint, streamDone, requestsUsed, position, null);
  }

  /** This page, read at {@code readAt}. */
  public Page withReadAt(Instant readAt) {
    return new Page(records, nextCheckpoint, streamDone, requestsUsed, position, readAt);
  }
}
