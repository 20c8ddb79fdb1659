package dev.sluice.connectors;

import java.util.List;
import java.util.Objects;

/**
 * One page of a stream, as read by {@link SourceConnector#readPage(StreamRequest)}.
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
 */
public record Page(
    List<SourceRecord> records, String nextCheckpoint, boolean streamDone, int requestsUsed, String position) {

  public Page {
    records = List.copyOf(records);
    Objects.requireNonNull(position, "position");
    if (!streamDone && nextCheckpoint == null) {
      throw new IllegalArgumentException("a page that is not the last needs a next checkpoint");
    }
  }
}
