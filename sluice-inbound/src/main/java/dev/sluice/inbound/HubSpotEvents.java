package dev.sluice.inbound;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
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

  /**
   * The events of {@code body}, each with its own text as the sender wrote it (the bytes between
   * its braces), so storing it needs no second serialization.
   */
  static List<NewEvent> parse(byte[] body) {
    List<JsonNode> events = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    try (JsonParser p = InboundJson.MAPPER.createParser(body)) {
      if (p.nextToken() != JsonToken.START_ARRAY) throw WebhookRejected.badRequest("body must be a JSON array of events");
      JsonToken t;
      while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
        if (t == null) throw WebhookRejected.badRequest("body is not valid JSON");
        if (events.size() == MAX_EVENTS) {
          int n = events.size();
          for (; t != JsonToken.END_ARRAY && t != null; t = p.nextToken()) {
            p.skipChildren();
            n++;
          }
          throw WebhookRejected.badRequest("more than " + MAX_EVENTS + " events in one request (" + n + ")");
        }
        if (t != JsonToken.START_OBJECT) throw WebhookRejected.badRequest("event " + events.size() + " is not a JSON object");
        long start = p.currentTokenLocation().getByteOffset();
        JsonNode e = InboundJson.MAPPER.readTree(p);
        long end = p.currentLocation().getByteOffset();
        events.add(e);
        texts.add(start >= 0 && end > start && end <= body.length && body[(int) end - 1] == '}'
            ? new String(body, (int) start, (int) (end - start), StandardCharsets.UTF_8) : null);
      }
    } catch (java.io.IOException e) {
      throw WebhookRejected.badRequest("body is not valid JSON");
    }
    if (events.isEmpty()) throw WebhookRejected.badRequest("body holds no events");
    List<NewEvent> out = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      JsonNode e = events.get(i);
      String where = "event " + i;
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
          occurred == null || occurred.isNull() ? null : Instant.ofEpochMilli(occurred.asLong()), e, texts.get(i)));
    }
    return out;
  }

  /** {@code contact.propertyChange} → {@code contacts}: the mirror's name for the object type. */
  static String objectType(String subscriptionType) {
    String prefix = subscriptionType.substring(0, subscriptionType.indexOf('.')).toLowerCase(Locale.ROOT);
    return OBJECT_TYPES.getOrDefault(prefix, prefix.endsWith("s") ? prefix : prefix + "s");
  }
}
