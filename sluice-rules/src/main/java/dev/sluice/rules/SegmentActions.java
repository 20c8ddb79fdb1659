package dev.sluice.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.segment.SegmentConnector;
import dev.sluice.queue.JobContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * {@code segment.track} and {@code segment.identify}: one event sent through the Segment
 * connection's connector as a {@code /v1/batch} request of one (the connection's shared {@code 1s}
 * bucket, the same as pipelines). Its {@code messageId} is the job's dedupe key, which Segment
 * dedupes by, so a retry after a lost response is dropped as a duplicate: one effect.
 */
final class SegmentActions {
  /** Segment's {@code messageId} is shorter than this; a longer dedupe key is hashed. */
  static final int MAX_MESSAGE_ID = 100;

  private SegmentActions() {}

  static ActionHandler track(Map<String, ConnectorActions.Connection> connections, ActionHttp http) {
    return new Call(ActionSignature.SEGMENT_TRACK, "track", "properties", connections, http);
  }

  static ActionHandler identify(Map<String, ConnectorActions.Connection> connections, ActionHttp http) {
    return new Call(ActionSignature.SEGMENT_IDENTIFY, "identify", "traits", connections, http);
  }

  /**
   * The event's {@code messageId}: the dedupe key itself when shorter than 100 characters, else
   * {@code sluice-} and 40 hex digits of its SHA-256 (the same key always gives the same id).
   */
  static String messageId(String dedupeKey) {
    if (dedupeKey.length() < MAX_MESSAGE_ID) return dedupeKey;
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(dedupeKey.getBytes(StandardCharsets.UTF_8));
      return "sluice-" + HexFormat.of().formatHex(d).substring(0, 40);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /** Why a {@code segment.*} action's arguments as written cannot work, or null (checked when the file loads). */
  static String argumentProblem(String kind, Map<String, Object> args) {
    if (!args.containsKey("userId") && !args.containsKey("anonymousId")) {
      return kind + ": needs userId or anonymousId (Segment drops an event with neither)";
    }
    return ConnectorActions.first(ConnectorActions.mapping(kind, args, kind.equals(ActionSignature.SEGMENT_TRACK) ? "properties" : "traits"),
        ConnectorActions.mapping(kind, args, "context"));
  }

  private static final class Call extends ConnectorActions.Base {
    private final String type;
    private final String data;

    Call(String kind, String type, String data, Map<String, ConnectorActions.Connection> connections, ActionHttp http) {
      super(kind, "segment", "Segment", connections, http);
      this.type = type;
      this.data = data;
    }

    @Override
    public void request(JsonNode args, String dedupeKey, ObjectNode payload, ObjectNode req) {
      ConnectionConfig c = connectionOf(args, payload);
      ObjectNode event = ActionHttp.JSON.createObjectNode().put("type", type);
      String userId = ConnectorActions.text(args, "userId");
      String anonymousId = ConnectorActions.text(args, "anonymousId");
      if (userId.isEmpty() && anonymousId.isEmpty()) throw new IllegalArgumentException("userId and anonymousId are both empty (Segment needs one)");
      if (!userId.isEmpty()) event.put("userId", userId);
      if (!anonymousId.isEmpty()) event.put("anonymousId", anonymousId);
      if (type.equals("track")) {
        String name = ConnectorActions.text(args, "event");
        if (name.isEmpty()) throw new IllegalArgumentException("event is empty (a track call needs the event's name)");
        event.put("event", name);
      }
      JsonNode values = args.get(data);
      event.set(data, values != null && values.isObject() ? values : ActionHttp.JSON.createObjectNode());
      event.put("timestamp", HubSpotActions.timestamp(ConnectorActions.text(args, "timestamp"), http.clock().instant(), "timestamp"));
      ObjectNode context = args.path("context").isObject() ? ((ObjectNode) args.get("context")).deepCopy() : ActionHttp.JSON.createObjectNode();
      context.putObject("library").put("name", "sluice");
      event.set("context", context);
      event.put("messageId", messageId(dedupeKey));
      req.put("method", "POST");
      req.put("url", c.baseUrl() + "/batch");
      req.putObject("headers").put("Authorization", "Basic <write key of " + c.name() + ">").put("Content-Type", "application/json");
      req.putObject("body").putArray("batch").add(event);
    }

    @Override
    public void send(JobContext ctx, JsonNode payload) {
      SegmentConnector segment = connector(payload, SegmentConnector.class);
      List<JsonNode> events = new ArrayList<>();
      payload.path("request").path("body").path("batch").forEach(events::add);
      try {
        segment.sendEvents(events);
      } catch (ConnectorException e) {
        throw ConnectorActions.outcome(ctx, e);
      }
      ObjectNode p = ActionHttp.JSON.createObjectNode();
      p.putObject("result").put("messageId", events.get(0).path("messageId").asText());
      ctx.progress(p);
    }
  }
}
