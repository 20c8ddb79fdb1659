package dev.sluice.inbound;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Optional;

/**
 * StoredEvent is one event as stored: normalized fields, the event's own JSON, whether its job has
 * run, and (from {@link InboundEvents#find}) the request it came in.
 *
 * @param handledCount how many times the event job ran for it (replays add runs)
 * @param raw the request's kept headers and raw body; empty in listings
 */
public record StoredEvent(long id, String source, String connection, String providerEventId, String type,
    String objectType, String objectId, String propertyName, String propertyValue, Instant occurredAt,
    Instant receivedAt, long requestId, int handledCount, Instant lastHandledAt, int replays, Instant lastReplayedAt,
    JsonNode payload, Optional<Raw> raw) {

  /** The request an event came in. */
  public record Raw(JsonNode headers, byte[] body, String verification) {}
}
