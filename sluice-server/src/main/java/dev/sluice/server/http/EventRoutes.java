package dev.sluice.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.inbound.EventFilter;
import dev.sluice.inbound.InboundEvents;
import dev.sluice.inbound.StoredEvent;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;

/** Handlers of {@code /v1/events}: stored inbound events, listed, shown with their raw request, replayed. */
final class EventRoutes {
  private static final Set<String> REPLAY_FIELDS = Set.of("source", "connection", "type", "object_id", "since", "limit", "all");
  private final InboundEvents inbound;
  private final JsonBodyReader bodies;
  private final ObjectMapper json;
  private final EventJson wire;

  EventRoutes(InboundEvents inbound, JsonBodyReader bodies, ObjectMapper json) {
    this.inbound = inbound;
    this.bodies = bodies;
    this.json = json;
    this.wire = new EventJson(json);
  }

  /** {@code GET /v1/events?source=&connection=&type=&object_id=&since=&before=&limit=}: newest first. */
  void list(Context ctx) {
    String before = ctx.queryParam("before");
    String limit = ctx.queryParam("limit");
    EventFilter f = new EventFilter(blankToNull(ctx.queryParam("source")), blankToNull(ctx.queryParam("connection")),
        blankToNull(ctx.queryParam("type")), blankToNull(ctx.queryParam("object_id")), since(ctx.queryParam("since")),
        before == null || before.isBlank() ? null : SyncRunRoutes.longParam("before", before, 1, Long.MAX_VALUE),
        limit == null || limit.isBlank() ? 50 : (int) SyncRunRoutes.longParam("limit", limit, 1, EventFilter.MAX_LIMIT));
    List<StoredEvent> events = inbound().list(f);
    ObjectNode body = json.createObjectNode();
    ArrayNode out = body.putArray("events");
    events.forEach(e -> out.add(wire.event(e)));
    if (events.size() == f.limit()) body.put("next_before", events.get(events.size() - 1).id()); else body.putNull("next_before");
    ApiServer.send(ctx, json, 200, body);
  }

  /** {@code GET /v1/events/{id}}: normalized fields, the event's JSON, and the raw request. */
  void show(Context ctx) {
    long id = SyncRunRoutes.longParam("id", ctx.pathParam("id"), 1, Long.MAX_VALUE);
    StoredEvent e = inbound().find(id).orElseThrow(() -> ApiError.notFound("no event " + id));
    ApiServer.send(ctx, json, 200, wire.event(e));
  }

  /** {@code POST /v1/events/{id}/replay}: enqueues the event's job again. */
  void replayOne(Context ctx) {
    long id = SyncRunRoutes.longParam("id", ctx.pathParam("id"), 1, Long.MAX_VALUE);
    if (!inbound().replay(id)) throw ApiError.notFound("no event " + id);
    replayed(ctx, List.of(id));
  }

  /** {@code POST /v1/events/replay {"source":…, "type":…, "object_id":…, "since":…, "limit":…}} (or {@code "all": true}). */
  void replayMatching(Context ctx) {
    JsonNode b = bodies.readObject(ctx);
    b.fieldNames().forEachRemaining(n -> {
      if (!REPLAY_FIELDS.contains(n)) throw ApiError.badRequest("unknown field '" + n + "' (expected " + String.join(", ", REPLAY_FIELDS.stream().sorted().toList()) + ")");
    });
    int limit = b.has("limit") ? (int) SyncRunRoutes.longParam("limit", b.get("limit").asText(), 1, EventFilter.MAX_LIMIT) : EventFilter.MAX_LIMIT;
    EventFilter f = new EventFilter(text(b, "source"), text(b, "connection"), text(b, "type"), text(b, "object_id"),
        since(text(b, "since")), null, limit);
    if (f.matchesEverything() && !b.path("all").asBoolean(false)) {
      throw ApiError.badRequest("name at least one of source, connection, type, object_id, since (or send \"all\": true)");
    }
    replayed(ctx, inbound().replay(f));
  }

  private void replayed(Context ctx, List<Long> ids) {
    ObjectNode body = json.createObjectNode();
    ArrayNode a = body.putArray("replayed");
    ids.forEach(a::add);
    body.put("count", ids.size());
    ApiServer.send(ctx, json, 202, body);
  }

  private static String text(JsonNode b, String field) {
    JsonNode v = b.get(field);
    if (v == null || v.isNull()) return null;
    if (!v.isTextual()) throw ApiError.badRequest(field + " must be a string");
    return blankToNull(v.asText());
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  private static Instant since(String s) {
    if (s == null || s.isBlank()) return null;
    try {
      return Instant.parse(s.trim());
    } catch (DateTimeParseException e) {
      throw ApiError.badRequest("since must be an ISO-8601 instant such as 2026-12-07T03:00:00Z, got '" + s + "'");
    }
  }

  /** The receivers of this process; a server started without them answers 404 on their routes. */
  private InboundEvents inbound() {
    if (inbound == null) throw ApiError.notFound("webhook receivers are not running in this process");
    return inbound;
  }
}
