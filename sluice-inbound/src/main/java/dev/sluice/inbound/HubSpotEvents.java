package dev.sluice.inbound;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parses a HubSpot webhook body: a JSON array of at most 100 event objects, each with an
 * {@code eventId}, a {@code subscriptionType} (some senders write {@code eventType}), the
 * {@code objectId} and {@code occurredAt} in epoch milliseconds.
 */
final class HubSpotEvents {
  static final int MAX_EVENTS = 100;
  private static final Map<String, String> OBJECT_TYPES = Map.of(
      "contact", "contacts", "company", "companies", "deal", "deals", "ticket", "tickets");

  private HubSpotEvents() {}

  static List<NewEvent> parse(byte[] body) {
    JsonNode root;
    try {
      root = InboundJson.MAPPER.readTree(body);
    } catch (java.io.IOException e) {
      throw WebhookRejected.badRequest("body is not valid JSON");
    }
    if (root == null || !root.isArray()) throw WebhookRejected.badRequest("body must be a JSON array of events");
    if (root.isEmpty()) throw WebhookRejected.badRequest("body holds no events");
    if (root.size() > MAX_EVENTS) throw WebhookRejected.badRequest("more than " + MAX_EVENTS + " events in one request (" + root.size() + ")");
    List<NewEvent> out = new ArrayList<>(root.size());
    for (int i = 0; i < root.size(); i++) {
      JsonNode e = root.get(i);
      String where = "event " + i;
      if (!e.isObject()) throw WebhookRejected.badRequest(where + " is not a JSON object");
      String eventId = InboundJson.idText(e.get("eventId"));
      if (eventId == null) throw WebhookRejected.badRequest(where + " has no eventId");
      String type = e.hasNonNull("subscriptionType") ? e.get("subscriptionType").asText() : e.path("eventType").asText(null);
      if (type == null || type.isBlank() || !type.contains(".")) throw WebhookRejected.badRequest(where + " has no subscriptionType such as contact.propertyChange");
      JsonNode occurred = e.get("occurredAt");
      if (occurred != null && !occurred.isNull() && !occurred.canConvertToLong()) throw WebhookRejected.badRequest(where + ": occurredAt is not epoch milliseconds");
      String objectId = InboundJson.idText(e.get("objectId"));
      out.add(new NewEvent(eventId, type, objectType(type), objectId,
          e.hasNonNull("propertyName") ? e.get("propertyName").asText() : null,
          e.hasNonNull("propertyValue") ? e.get("propertyValue").asText() : null,
          occurred == null || occurred.isNull() ? null : Instant.ofEpochMilli(occurred.asLong()), e));
    }
    return out;
  }

  /** {@code contact.propertyChange} → {@code contacts}: the mirror's name for the object type. */
  static String objectType(String subscriptionType) {
    String prefix = subscriptionType.substring(0, subscriptionType.indexOf('.')).toLowerCase(Locale.ROOT);
    return OBJECT_TYPES.getOrDefault(prefix, prefix.endsWith("s") ? prefix : prefix + "s");
  }
}
