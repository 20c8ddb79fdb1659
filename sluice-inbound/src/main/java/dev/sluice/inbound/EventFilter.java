package dev.sluice.inbound;

import java.time.Instant;

/**
 * EventFilter picks stored events; every null field matches anything. Immutable.
 *
 * @param source {@code hubspot}, {@code salesforce}, {@code mailchimp} or {@code standard}
 * @param connection the connection (or Standard Webhooks source) name
 * @param type e.g. {@code contact.propertyChange}
 * @param objectId the record id the event names
 * @param since received at or after
 * @param before only ids below this (the paging cursor of a listing)
 * @param limit most events answered (1..1000)
 */
public record EventFilter(String source, String connection, String type, String objectId, Instant since, Long before,
    int limit) {
  /** Most events one listing or one replay call touches. */
  public static final int MAX_LIMIT = 1000;

  public EventFilter {
    if (limit < 1 || limit > MAX_LIMIT) throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT + ", got " + limit);
  }

  /** Every event, newest first, {@code limit} at a time. */
  public static EventFilter all(int limit) {
    return new EventFilter(null, null, null, null, null, null, limit);
  }

  /** Whether no field narrows the selection (a replay of everything needs saying so). */
  public boolean matchesEverything() {
    return source == null && connection == null && type == null && objectId == null && since == null;
  }
}
