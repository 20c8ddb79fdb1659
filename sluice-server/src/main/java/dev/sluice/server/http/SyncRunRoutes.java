package dev.sluice.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.SyncMode;
import dev.sluice.server.config.SluiceConfig;
import dev.sluice.sync.RunFilter;
import dev.sluice.sync.RunStatus;
import dev.sluice.sync.SyncEngine;
import dev.sluice.sync.SyncEvent;
import dev.sluice.sync.SyncRequest;
import dev.sluice.sync.SyncRun;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Set;

/** Handlers of {@code /v1/sync-runs} and {@code /v1/records}. */
final class SyncRunRoutes {
  private static final Set<String> TRIGGER_FIELDS = Set.of("connection", "objects", "mode");
  /** Events returned by one JSON call at most; the client pages on with {@code after}. */
  static final int MAX_EVENTS_PER_CALL = 1000;

  private final SluiceConfig config;
  private final SyncEngine engine;
  private final RunJson wire;
  private final JsonBodyReader bodies;
  private final ObjectMapper json;

  SyncRunRoutes(SluiceConfig config, SyncEngine engine, RunJson wire, JsonBodyReader bodies, ObjectMapper json) {
    this.config = config;
    this.engine = engine;
    this.wire = wire;
    this.bodies = bodies;
    this.json = json;
  }

  /**
   * {@code POST /v1/sync-runs}: 202 with a new pending run, or 200 with the run already pending or
   * processing for the same connection and objects (coalesced).
   */
  void trigger(Context ctx) {
    SyncRequest request = parseTrigger(bodies.readObject(ctx));
    List<Long> activeBefore = engine.list(RunFilter.all().withConnection(request.connection()).withLimit(1000)).stream()
        .filter(r -> r.status().active())
        .map(SyncRun::id)
        .toList();
    SyncRun run;
    try {
      run = engine.trigger(request);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(e.getMessage());
    }
    boolean coalesced = activeBefore.contains(run.id());
    ObjectNode body = json.createObjectNode();
    body.put("run_id", run.id());
    body.put("status", run.status().wire());
    body.put("coalesced", coalesced);
    body.put("url", "/v1/sync-runs/" + run.id());
    ctx.header("Location", "/v1/sync-runs/" + run.id());
    ApiServer.send(ctx, json, coalesced ? 200 : 202, body);
  }

  SyncRequest parseTrigger(JsonNode body) {
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!TRIGGER_FIELDS.contains(f)) throw ApiError.badRequest("unknown field '" + f + "' (expected connection, objects, mode)");
    }
    JsonNode c = body.get("connection");
    if (c == null || c.isNull()) throw ApiError.badRequest("connection is required, e.g. {\"connection\":\"hubspot-main\"}");
    if (!c.isTextual()) throw ApiError.badRequest("connection must be a string, got " + type(c));
    String name = c.asText();
    ConnectionConfig connection = config.connections().get(name);
    if (connection == null) {
      throw ApiError.badRequest("unknown connection '" + name + "'"
          + (config.connections().isEmpty() ? " (no connections are configured)" : " (configured: " + String.join(", ", config.connections().keySet()) + ")"));
    }
    List<String> objects = new ArrayList<>();
    JsonNode o = body.get("objects");
    if (o == null || o.isNull()) {
      objects.addAll(connection.objects());
    } else {
      if (!o.isArray()) throw ApiError.badRequest("objects must be an array of strings, got " + type(o));
      if (o.isEmpty()) throw ApiError.badRequest("objects must name at least one object (" + String.join(", ", connection.objects()) + ")");
      for (int i = 0; i < o.size(); i++) {
        JsonNode item = o.get(i);
        if (!item.isTextual()) throw ApiError.badRequest("objects[" + i + "] must be a string, got " + type(item));
        if (!connection.objects().contains(item.asText())) {
          throw ApiError.badRequest("'" + item.asText() + "' is not an object of connection '" + name + "' (one of "
              + String.join(", ", connection.objects()) + ")");
        }
        objects.add(item.asText());
      }
    }
    SyncMode mode = SyncMode.FULL;
    JsonNode m = body.get("mode");
    if (m != null && !m.isNull()) {
      if (!m.isTextual()) throw ApiError.badRequest("mode must be a string, \"full\" or \"incremental\", got " + type(m));
      mode = switch (m.asText().toLowerCase(Locale.ROOT)) {
        case "full" -> SyncMode.FULL;
        case "incremental" -> SyncMode.INCREMENTAL;
        default -> throw ApiError.badRequest("mode must be \"full\" or \"incremental\", got '" + m.asText() + "'");
      };
    }
    try {
      return new SyncRequest(name, objects, mode);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(e.getMessage());
    }
  }

  /** {@code GET /v1/sync-runs/{id}}. */
  void show(Context ctx) {
    ApiServer.send(ctx, json, 200, wire.run(find(runId(ctx))));
  }

  /** {@code GET /v1/sync-runs?status=&connection=&limit=&before=}. */
  void list(Context ctx) {
    RunFilter filter = RunFilter.all();
    String status = ctx.queryParam("status");
    if (status != null && !status.isBlank()) {
      try {
        filter = filter.withStatus(RunStatus.fromWire(status));
      } catch (IllegalArgumentException e) {
        throw ApiError.badRequest(e.getMessage());
      }
    }
    String connection = ctx.queryParam("connection");
    if (connection != null && !connection.isBlank()) filter = filter.withConnection(connection);
    String limit = ctx.queryParam("limit");
    if (limit != null && !limit.isBlank()) filter = filter.withLimit((int) longParam("limit", limit, 1, 1000));
    String before = ctx.queryParam("before");
    if (before != null && !before.isBlank()) filter = filter.before(longParam("before", before, 1, Long.MAX_VALUE));
    List<SyncRun> runs = engine.list(filter);
    ObjectNode body = json.createObjectNode();
    ArrayNode items = body.putArray("runs");
    runs.forEach(r -> items.add(wire.runSummary(r)));
    if (runs.size() == filter.limit()) body.put("next_before", runs.get(runs.size() - 1).id()); else body.putNull("next_before");
    ApiServer.send(ctx, json, 200, body);
  }

  /** {@code POST /v1/sync-runs/{id}/cancel}: 200 with the run; 409 when it already finished. */
  void cancel(Context ctx) {
    long id = runId(ctx);
    SyncRun before = find(id);
    if (!before.status().active()) throw new ApiError(409, "run " + id + " is " + before.status().wire() + ": nothing to cancel");
    try {
      ApiServer.send(ctx, json, 200, wire.run(engine.cancel(id)));
    } catch (IllegalStateException e) {
      throw new ApiError(409, e.getMessage());
    } catch (NoSuchElementException e) {
      throw ApiError.notFound("no sync run " + id);
    }
  }

  /** {@code POST /v1/sync-runs/{id}/resume}: 202 with the run; 409 when there is nothing to resume. */
  void resume(Context ctx) {
    long id = runId(ctx);
    find(id);
    try {
      ApiServer.send(ctx, json, 202, wire.run(engine.resume(id)));
    } catch (IllegalStateException e) {
      throw new ApiError(409, e.getMessage());
    } catch (NoSuchElementException e) {
      throw ApiError.notFound("no sync run " + id);
    }
  }

  /** {@code GET /v1/sync-runs/{id}/events?after=SEQ} as JSON. */
  void events(Context ctx, long id) {
    find(id);
    String afterParam = ctx.queryParam("after");
    long after = afterParam == null || afterParam.isBlank() ? 0 : longParam("after", afterParam, 0, Long.MAX_VALUE);
    List<SyncEvent> events = engine.events(id, after);
    if (events.size() > MAX_EVENTS_PER_CALL) events = events.subList(0, MAX_EVENTS_PER_CALL);
    ObjectNode body = json.createObjectNode();
    body.put("run_id", id);
    ArrayNode items = body.putArray("events");
    events.forEach(e -> items.add(wire.event(e)));
    body.put("next_after", events.isEmpty() ? after : events.get(events.size() - 1).seq());
    ApiServer.send(ctx, json, 200, body);
  }

  /**
   * {@code GET /v1/records/{connection}/{type}/{id}?after=&limit=}: the record's mirror row and one
   * page of its change history, oldest first; {@code next_after} continues.
   */
  void explain(Context ctx) {
    String connection = ctx.pathParam("connection");
    if (!config.connections().containsKey(connection)) throw ApiError.notFound("unknown connection '" + connection + "'");
    String afterParam = ctx.queryParam("after");
    String limitParam = ctx.queryParam("limit");
    long after = afterParam == null ? 0 : longParam("after", afterParam, 0, Long.MAX_VALUE);
    int limit = limitParam == null ? SyncEngine.HISTORY_PAGE_DEFAULT
        : (int) longParam("limit", limitParam, 1, SyncEngine.HISTORY_PAGE_LIMIT);
    try {
      ApiServer.send(ctx, json, 200, wire.history(engine.explain(connection, ctx.pathParam("type"), ctx.pathParam("id"),
          after, limit)));
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(e.getMessage());
    }
  }

  SyncRun find(long id) {
    return engine.find(id).orElseThrow(() -> ApiError.notFound("no sync run " + id));
  }

  static long runId(Context ctx) {
    return longParam("run id", ctx.pathParam("id"), 1, Long.MAX_VALUE);
  }

  static long longParam(String name, String value, long min, long max) {
    long v;
    try {
      v = Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw ApiError.badRequest(name + " must be a whole number, got '" + value + "'");
    }
    if (v < min || v > max) throw ApiError.badRequest(name + " must be between " + min + " and " + max + ", got " + v);
    return v;
  }

  private static String type(JsonNode n) {
    return switch (n.getNodeType()) {
      case OBJECT -> "an object";
      case ARRAY -> "an array";
      case BOOLEAN -> "a boolean";
      case NUMBER -> "a number";
      case STRING -> "a string";
      default -> n.getNodeType().name().toLowerCase(Locale.ROOT);
    };
  }
}
