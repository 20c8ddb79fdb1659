package dev.sluice.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.inbound.StoredEvent;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** The wire form of a stored inbound event ({@code InboundEvent} in openapi.yaml), for the API and the CLI. */
public final class EventJson {
  private final ObjectMapper json;

  public EventJson(ObjectMapper json) {
    this.json = json;
  }

  /** The event; with {@code raw} (headers, body as text or base64, verification) when it was read with its request. */
  public ObjectNode event(StoredEvent e) {
    ObjectNode n = json.createObjectNode();
    n.put("id", e.id());
    n.put("source", e.source());
    n.put("connection", e.connection());
    n.put("provider_event_id", e.providerEventId());
    n.put("type", e.type());
    n.put("object_type", e.objectType());
    n.put("object_id", e.objectId());
    n.put("property_name", e.propertyName());
    n.put("property_value", e.propertyValue());
    n.put("occurred_at", e.occurredAt() == null ? null : e.occurredAt().toString());
    n.put("received_at", e.receivedAt().toString());
    n.put("request_id", e.requestId());
    n.put("handled_count", e.handledCount());
    n.put("last_handled_at", e.lastHandledAt() == null ? null : e.lastHandledAt().toString());
    n.put("replays", e.replays());
    n.put("last_replayed_at", e.lastReplayedAt() == null ? null : e.lastReplayedAt().toString());
    n.set("payload", e.payload());
    e.raw().ifPresent(raw -> {
      ObjectNode r = n.putObject("raw");
      r.set("headers", raw.headers());
      String text = utf8(raw.body());
      if (text != null) r.put("body", text); else r.put("body_base64", Base64.getEncoder().encodeToString(raw.body()));
      r.put("verification", raw.verification());
    });
    return n;
  }

  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
