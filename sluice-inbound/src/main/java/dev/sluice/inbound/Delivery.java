package dev.sluice.inbound;

import java.time.Instant;
import java.util.List;

/**
 * One verified, parsed request on its way to the group committer.
 *
 * @param headersJson the request headers worth keeping, as a JSON object
 * @param verification how it was verified, e.g. {@code hubspot-signature-v3}
 */
record Delivery(WebhookSender sender, String connection, Instant receivedAt, String headersJson, byte[] body,
    String verification, List<NewEvent> events) {

  /** What storing one delivery did: the new events' ids, and how many were already stored. */
  record Stored(List<Long> eventIds, int duplicates) {}
}
