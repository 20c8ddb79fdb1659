package dev.sluice.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.router.JavalinDefaultRoutingApi;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The platform-independent admin API under {@code /_admin}: counters, journal, faults and (with a
 * {@link ManualClock}) moving time. Platforms add their own admin routes under
 * {@code /_admin/<name>/}.
 */
final class AdminRoutes {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Sandbox sandbox;

  AdminRoutes(Sandbox sandbox) {
    this.sandbox = sandbox;
  }

  void register(JavalinDefaultRoutingApi app) {
    app.get("/_admin", ctx -> send(ctx, 200, sandbox.describe()));
    app.get("/_admin/counters", ctx -> send(ctx, 200, sandbox.counters().snapshot()));
    app.post("/_admin/counters/reset", ctx -> {
      sandbox.counters().reset();
      send(ctx, 200, Map.of("reset", true));
    });
    app.get("/_admin/journal", this::journal);
    app.delete("/_admin/journal", ctx -> {
      sandbox.journal().clear();
      send(ctx, 200, Map.of("cleared", true));
    });
    app.get("/_admin/faults", ctx -> send(ctx, 200, Map.of("rules", sandbox.faults().rules().stream().map(AdminRoutes::ruleJson).toList())));
    app.post("/_admin/faults", this::addFault);
    app.delete("/_admin/faults", ctx -> {
      sandbox.faults().clear();
      send(ctx, 200, Map.of("rules", List.of()));
    });
    app.post("/_admin/faults/seed", ctx -> {
      JsonNode body = body(ctx);
      if (body == null) return;
      sandbox.faults().reseed(body.path("seed").asLong(0));
      send(ctx, 200, Map.of("seed", body.path("seed").asLong(0)));
    });
    app.post("/_admin/clock/advance", ctx -> {
      if (!(sandbox.clock() instanceof ManualClock manual)) {
        send(ctx, 409, Map.of("status", "error", "message", "the sandbox runs on the system clock; start it with a ManualClock to move time"));
        return;
      }
      JsonNode body = body(ctx);
      if (body == null) return;
      if (!body.path("millis").canConvertToLong()) {
        send(ctx, 400, Map.of("status", "error", "message", "body must be {\"millis\": <number>}"));
        return;
      }
      manual.advance(Duration.ofMillis(body.path("millis").asLong()));
      send(ctx, 200, Map.of("now", manual.instant().toString()));
    });
  }

  private void journal(Context ctx) {
    String prefix = ctx.queryParam("path_prefix");
    int limit = 1000;
    String l = ctx.queryParam("limit");
    if (l != null) {
      try {
        limit = Integer.parseInt(l);
      } catch (NumberFormatException e) {
        send(ctx, 400, Map.of("status", "error", "message", "limit must be an integer"));
        return;
      }
    }
    List<RecordedRequest> all = prefix == null ? sandbox.journal().all() : sandbox.journal().withPathPrefix(prefix);
    List<RecordedRequest> last = all.subList(Math.max(0, all.size() - limit), all.size());
    List<Map<String, Object>> out = new ArrayList<>();
    for (RecordedRequest r : last) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("at", r.at().toString());
      m.put("method", r.method());
      m.put("path", r.path());
      m.put("query", r.query());
      m.put("headers", r.headers());
      m.put("body", r.body());
      m.put("status", r.status());
      m.put("fault", r.fault());
      out.add(m);
    }
    send(ctx, 200, Map.of("total_recorded", sandbox.journal().totalRecorded(), "requests", out));
  }

  private void addFault(Context ctx) {
    JsonNode b = body(ctx);
    if (b == null) return;
    FaultRule rule;
    try {
      FaultRule.Kind kind = FaultRule.Kind.valueOf(b.path("kind").asText("").toUpperCase(Locale.ROOT));
      double rate = b.path("rate").asDouble(1.0);
      rule = switch (kind) {
        case TOO_MANY_REQUESTS -> FaultRule.tooManyRequests(rate);
        case SERVER_ERROR -> FaultRule.serverError(b.path("status").asInt(503), rate);
        case SLOW -> FaultRule.slow(Duration.ofMillis(b.path("delay_ms").asLong(1000)), rate);
        case DROP_CONNECTION -> FaultRule.dropConnection(rate);
        case MALFORMED_BODY -> FaultRule.malformedBody(rate);
      };
      if (b.hasNonNull("path_prefix")) rule = rule.onPath(b.get("path_prefix").asText());
      if (b.hasNonNull("times")) rule = rule.times(b.get("times").asInt());
    } catch (IllegalArgumentException e) {
      send(ctx, 400, Map.of("status", "error", "message",
          "bad fault rule: " + e.getMessage() + "; kind is one of TOO_MANY_REQUESTS, SERVER_ERROR, SLOW, DROP_CONNECTION, MALFORMED_BODY"));
      return;
    }
    sandbox.faults().add(rule);
    send(ctx, 201, ruleJson(rule));
  }

  static Map<String, Object> ruleJson(FaultRule r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", r.kind().name());
    m.put("rate", r.rate());
    m.put("path_prefix", r.pathPrefix());
    m.put("status", r.status());
    m.put("delay_ms", r.delay().toMillis());
    m.put("times", r.times());
    return m;
  }

  private static JsonNode body(Context ctx) {
    try {
      String text = ctx.body();
      JsonNode n = JSON.readTree(text.isBlank() ? "{}" : text);
      if (n == null || !n.isObject()) throw new IllegalArgumentException("not a JSON object");
      return n;
    } catch (Exception e) {
      send(ctx, 400, Map.of("status", "error", "message", "request body must be a JSON object: " + e.getMessage()));
      return null;
    }
  }

  static void send(Context ctx, int status, Object body) {
    try {
      ctx.status(status).contentType("application/json").result(JSON.writeValueAsString(body));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
