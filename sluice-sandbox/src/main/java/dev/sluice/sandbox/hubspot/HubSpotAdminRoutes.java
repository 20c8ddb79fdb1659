package dev.sluice.sandbox.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.router.JavalinDefaultRoutingApi;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The HubSpot part of the admin API, {@code /_admin/hubspot/...}: the JSON face of the admin
 * methods of {@link HubSpotSandbox}. No auth and no rate limits (it is the sandbox's own console).
 */
final class HubSpotAdminRoutes {
  private static final String P = "/_admin/hubspot";
  private final HubSpotSandbox portal;

  HubSpotAdminRoutes(HubSpotSandbox portal) {
    this.portal = portal;
  }

  void register(JavalinDefaultRoutingApi app) {
    app.get(P, ctx -> {
      ObjectNode o = HubSpotWire.JSON.valueToTree(portal.describe(HubSpotWire.baseUrl(ctx)));
      ObjectNode counts = o.putObject("counts");
      for (HubSpotObjectType t : HubSpotObjectType.values()) {
        counts.put(t.plural(), portal.count(t));
        counts.put(t.plural() + "_archived", portal.archivedCount(t));
      }
      HubSpotWire.send(ctx, 200, o);
    });
    app.post(P + "/objects/{type}", ctx -> guarded(ctx, () -> {
      Map<String, String> props = properties(ctx);
      return snapshotJson(portal.createRecord(type(ctx), props));
    }, 201));
    app.get(P + "/objects/{type}/{id}", ctx -> guarded(ctx, () -> snapshotJson(
        portal.record(type(ctx), ctx.pathParam("id")).orElseThrow(() -> new NoSuchElementException("no such record"))), 200));
    app.patch(P + "/objects/{type}/{id}", ctx -> guarded(ctx, () ->
        snapshotJson(portal.updateRecord(type(ctx), ctx.pathParam("id"), properties(ctx))), 200));
    app.delete(P + "/objects/{type}/{id}", ctx -> guarded(ctx, () -> {
      portal.archiveRecord(type(ctx), ctx.pathParam("id"));
      return HubSpotWire.NODES.objectNode().put("archived", true);
    }, 200));
    app.post(P + "/objects/{type}/merge", ctx -> guarded(ctx, () -> {
      JsonNode b = body(ctx);
      return snapshotJson(portal.merge(type(ctx), b.path("primaryObjectId").asText(), b.path("objectIdToMerge").asText()));
    }, 200));
    app.put(P + "/associations/{from}/{id}/{to}/{toId}", ctx -> guarded(ctx, () -> {
      portal.associate(type(ctx, "from"), ctx.pathParam("id"), type(ctx, "to"), ctx.pathParam("toId"));
      return HubSpotWire.NODES.objectNode().put("associated", true);
    }, 200));
    app.delete(P + "/associations/{from}/{id}/{to}/{toId}", ctx -> guarded(ctx, () -> {
      portal.dissociate(type(ctx, "from"), ctx.pathParam("id"), type(ctx, "to"), ctx.pathParam("toId"));
      return HubSpotWire.NODES.objectNode().put("associated", false);
    }, 200));
    app.post(P + "/generate", ctx -> guarded(ctx, () -> {
      JsonNode b = body(ctx);
      int max = HubSpotDataGenerator.Spec.MAX_RECORDS;
      HubSpotDataGenerator.Result r = portal.generate(new HubSpotDataGenerator.Spec(
          b.path("seed").asLong(0), count(b, "contacts", 0, max), count(b, "companies", 0, max), count(b, "deals", 0, max),
          count(b, "tickets", 0, max), count(b, "tasks", 0, max),
          count(b, "custom_properties", 2, HubSpotDataGenerator.Spec.MAX_CUSTOM_PROPERTIES), b.path("edge_cases").asBoolean(true)));
      ObjectNode o = HubSpotWire.NODES.objectNode();
      ObjectNode created = o.putObject("created");
      r.created().forEach((t, n) -> created.put(t.plural(), n));
      o.put("associations", r.associations());
      o.put("millis", r.millis());
      return o;
    }, 200));
    app.get(P + "/ids/{type}", this::ids);
    app.get(P + "/webhooks", ctx -> HubSpotWire.send(ctx, 200, webhooksJson()));
    app.put(P + "/webhooks", ctx -> guarded(ctx, () -> {
      JsonNode b = body(ctx);
      HubSpotWebhooks w = portal.webhooks();
      if (b.has("target_url")) w.setTargetUrl(b.get("target_url").isNull() ? null : b.get("target_url").asText());
      if (b.has("subscriptions")) {
        List<String> types = new ArrayList<>();
        b.get("subscriptions").forEach(n -> types.add(n.asText()));
        for (String type : types) {
          if (!HubSpotOptions.allSubscriptionTypes().contains(type)) throw new IllegalArgumentException("unknown subscription type " + type);
        }
        w.setSubscriptions(types);
      }
      if (b.has("duplicate_rate")) w.setDuplicateRate(b.get("duplicate_rate").asDouble());
      if (b.has("lost_answer_rate")) w.setLostAnswerRate(b.get("lost_answer_rate").asDouble());
      if (b.has("reorder")) w.setReorder(b.get("reorder").asBoolean());
      if (b.has("time_scale")) w.setTimeScale(b.get("time_scale").asDouble());
      return webhooksJson();
    }, 200));
    app.put(P + "/limits", ctx -> guarded(ctx, () -> {
      JsonNode b = body(ctx);
      if (b.hasNonNull("tier")) {
        HubSpotTier tier = HubSpotTier.valueOf(b.get("tier").asText().toUpperCase(Locale.ROOT));
        portal.setLimits(tier.perTenSeconds(), tier.perDay());
      } else {
        portal.setLimits(b.path("per_ten_seconds").asInt(portal.limiter().perWindow()), b.path("per_day").asLong(portal.limiter().perDay()));
      }
      return HubSpotWire.NODES.objectNode().put("per_ten_seconds", portal.limiter().perWindow()).put("per_day", portal.limiter().perDay());
    }, 200));
    app.post(P + "/limits/reset", ctx -> guarded(ctx, () -> {
      portal.resetRateLimits();
      return HubSpotWire.NODES.objectNode().put("reset", true);
    }, 200));
    app.put(P + "/search-lag", ctx -> guarded(ctx, () -> {
      long ms = body(ctx).path("millis").asLong(-1);
      if (ms < 0) throw new IllegalArgumentException("body must be {\"millis\": <non-negative number>}");
      portal.setSearchIndexLag(Duration.ofMillis(ms));
      return HubSpotWire.NODES.objectNode().put("millis", ms);
    }, 200));
  }

  /**
   * Every id of a type, ascending, one decimal per line ({@code text/plain}); {@code ?archived=true}
   * for the archived ones. Compact and streamed, so a million ids cost the client no JSON tree and
   * the sandbox one {@code long[]} copy taken under the read lock.
   */
  private void ids(Context ctx) throws java.io.IOException {
    HubSpotObjectType type = HubSpotObjectType.fromPath(ctx.pathParam("type"));
    if (type == null) {
      HubSpotWire.error(ctx, 404, "OBJECT_NOT_FOUND", "unknown object type " + ctx.pathParam("type"));
      return;
    }
    long[] ids = portal.idsSnapshot(type, "true".equalsIgnoreCase(ctx.queryParam("archived")));
    ctx.status(200).contentType("text/plain; charset=utf-8");
    ctx.header("X-Sandbox-Count", Integer.toString(ids.length));
    java.io.Writer out = new java.io.BufferedWriter(
        new java.io.OutputStreamWriter(ctx.outputStream(), java.nio.charset.StandardCharsets.US_ASCII), 1 << 16);
    for (long id : ids) {
      out.write(Long.toString(id));
      out.write('\n');
    }
    out.flush();
  }

  private interface Action {
    JsonNode run();
  }

  /** A whole number field in 0..max ({@code fallback} when absent); a huge or fractional one is an error, never wrapped. */
  private static int count(JsonNode body, String field, int fallback, int max) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) return fallback;
    if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 0 || n.asLong() > max) {
      throw new IllegalArgumentException(field + " must be a whole number from 0 to " + max + ", got " + n);
    }
    return (int) n.asLong();
  }

  private static void guarded(Context ctx, Action action, int okStatus) {
    try {
      HubSpotWire.send(ctx, okStatus, action.run());
    } catch (NoSuchElementException e) {
      HubSpotWire.error(ctx, 404, "OBJECT_NOT_FOUND", e.getMessage());
    } catch (IllegalArgumentException | IllegalStateException e) {
      HubSpotWire.error(ctx, 400, "VALIDATION_ERROR", e.getMessage());
    }
  }

  private ObjectNode webhooksJson() {
    HubSpotWebhooks w = portal.webhooks();
    ObjectNode o = HubSpotWire.NODES.objectNode();
    o.put("target_url", w.targetUrl());
    ArrayNode subs = o.putArray("subscriptions");
    w.subscriptions().forEach(subs::add);
    o.put("backlog", w.backlog());
    ArrayNode d = o.putArray("deliveries");
    for (HubSpotWebhooks.Delivery x : w.deliveries()) {
      ObjectNode n = d.addObject();
      n.put("at", x.at().toString());
      n.put("attempt_number", x.attemptNumber());
      n.put("events", x.eventCount());
      n.put("status", x.status());
      n.put("error", x.error());
      n.put("duplicate", x.duplicate());
    }
    return o;
  }

  static ObjectNode snapshotJson(HubSpotRecord r) {
    ObjectNode o = HubSpotWire.NODES.objectNode();
    o.put("id", r.id());
    o.put("type", r.type().plural());
    ObjectNode props = o.putObject("properties");
    r.properties().forEach(props::put);
    o.put("createdAt", r.createdAt().toString());
    o.put("updatedAt", r.updatedAt().toString());
    o.put("archived", r.archived());
    ObjectNode assoc = o.putObject("associations");
    r.associations().forEach((t, ids) -> {
      ArrayNode a = assoc.putArray(t.plural());
      ids.forEach(a::add);
    });
    return o;
  }

  private static HubSpotObjectType type(Context ctx) {
    return type(ctx, "type");
  }

  private static HubSpotObjectType type(Context ctx, String param) {
    HubSpotObjectType t = HubSpotObjectType.fromPath(ctx.pathParam(param));
    if (t == null) throw new IllegalArgumentException("unknown object type " + ctx.pathParam(param));
    return t;
  }

  private static JsonNode body(Context ctx) {
    try {
      String text = ctx.body();
      JsonNode n = HubSpotWire.JSON.readTree(text.isBlank() ? "{}" : text);
      if (n == null || !n.isObject()) throw new IllegalArgumentException("request body must be a JSON object");
      return n;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("request body is not JSON: " + e.getOriginalMessage());
    }
  }

  private static Map<String, String> properties(Context ctx) {
    Map<String, String> props = WriteInput.properties(body(ctx).get("properties"));
    if (props == null) throw new IllegalArgumentException("body must be {\"properties\": {...}}");
    return props;
  }
}
