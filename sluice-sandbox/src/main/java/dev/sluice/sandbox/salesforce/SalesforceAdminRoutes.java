package dev.sluice.sandbox.salesforce;

import static dev.sluice.sandbox.salesforce.SalesforceWire.JSON;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.net.URI;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Salesforce sandbox's admin API under {@code /_admin/salesforce/}: records (edits send outbound
 * messages), the API allocation, outbound message settings and status.
 */
final class SalesforceAdminRoutes {
  private final SalesforceSandbox sandbox;
  private final SalesforceStore store;
  private final ApiAllocation allocation;
  private final OutboundMessenger outbound;

  SalesforceAdminRoutes(SalesforceSandbox sandbox, SalesforceStore store, ApiAllocation allocation, OutboundMessenger outbound) {
    this.sandbox = sandbox;
    this.store = store;
    this.allocation = allocation;
    this.outbound = outbound;
  }

  void register(JavalinDefaultRoutingApi app) {
    app.get("/_admin/salesforce/records/{object}", this::adminList);
    app.post("/_admin/salesforce/records/{object}", this::adminCreate);
    app.get("/_admin/salesforce/records/{object}/{id}", this::adminGet);
    app.patch("/_admin/salesforce/records/{object}/{id}", this::adminUpdate);
    app.delete("/_admin/salesforce/records/{object}/{id}", this::adminDelete);
    app.get("/_admin/salesforce/api-usage", ctx -> ctx.json(usage()));
    app.put("/_admin/salesforce/api-usage", this::adminSetUsage);
    app.get("/_admin/salesforce/outbound", ctx -> ctx.json(outboundStatus()));
    app.put("/_admin/salesforce/outbound", this::adminConfigureOutbound);
  }


  private void adminList(Context ctx) throws Exception {
    SObjectSchema s = adminSchema(ctx);
    if (s == null) {
      return;
    }
    int offset = intParam(ctx, "offset", 0);
    int limit = intParam(ctx, "limit", 1000);
    ObjectNode body = JSON.createObjectNode();
    body.put("totalSize", store.count(s.name));
    var records = body.putArray("records");
    int i = 0;
    for (SObjectRecord r : store.scan(s.name)) {
      if (i++ < offset) {
        continue;
      }
      if (records.size() >= limit) {
        break;
      }
      records.add(SalesforceWire.recordJson(r, s.fields(), SalesforceSandbox.API_PREFIX));
    }
    SalesforceWire.json(ctx, 200, body);
  }

  private void adminGet(Context ctx) throws Exception {
    SObjectSchema s = adminSchema(ctx);
    if (s == null) {
      return;
    }
    String id = store.resolveId(s.name, ctx.pathParam("id"));
    if (id == null) {
      adminError(ctx, 404, "no " + s.name + " with id " + ctx.pathParam("id"));
      return;
    }
    SalesforceWire.json(ctx, 200, SalesforceWire.recordJson(store.get(s.name, id), s.fields(), SalesforceSandbox.API_PREFIX));
  }

  private void adminCreate(Context ctx) throws Exception {
    SObjectSchema s = adminSchema(ctx);
    JsonNode body = adminBody(ctx);
    if (s == null || body == null) {
      return;
    }
    SalesforceStore.WriteOutcome o = store.write(List.of(new SalesforceStore.WriteRequest(s, null, null, body)), false).get(0);
    adminOutcome(ctx, s, o, 201);
  }

  private void adminUpdate(Context ctx) throws Exception {
    SObjectSchema s = adminSchema(ctx);
    JsonNode body = adminBody(ctx);
    if (s == null || body == null) {
      return;
    }
    SalesforceStore.WriteOutcome o = store.update(s, ctx.pathParam("id"), body);
    adminOutcome(ctx, s, o, 200);
  }

  private void adminDelete(Context ctx) throws Exception {
    SObjectSchema s = adminSchema(ctx);
    if (s == null) {
      return;
    }
    String id = store.resolveId(s.name, ctx.pathParam("id"));
    if (id == null || store.delete(s, id) != SalesforceStore.DeleteOutcome.DELETED) {
      adminError(ctx, 404, "no " + s.name + " with id " + ctx.pathParam("id"));
      return;
    }
    ctx.status(204);
  }

  private void adminSetUsage(Context ctx) throws Exception {
    JsonNode body = adminBody(ctx);
    if (body == null) {
      return;
    }
    if (body.has("limit")) {
      if (!body.get("limit").canConvertToLong() || body.get("limit").asLong() < 0) {
        adminError(ctx, 400, "limit must be a non-negative integer");
        return;
      }
      allocation.setLimit(body.get("limit").asLong());
    }
    if (body.path("reset").asBoolean(false)) {
      allocation.reset();
    }
    ctx.json(usage());
  }

  private void adminConfigureOutbound(Context ctx) throws Exception {
    JsonNode body = adminBody(ctx);
    if (body == null) {
      return;
    }
    URI url = null;
    if (body.hasNonNull("url")) {
      try {
        url = URI.create(body.get("url").asText());
        if (url.getScheme() == null || !url.getScheme().startsWith("http")) {
          throw new IllegalArgumentException("not http(s)");
        }
      } catch (IllegalArgumentException e) {
        adminError(ctx, 400, "url must be an http(s) URL: " + body.get("url").asText());
        return;
      }
    }
    Set<String> objects = new HashSet<>(outbound.config().objects());
    if (body.has("objects")) {
      objects.clear();
      for (JsonNode o : body.get("objects")) {
        SObjectSchema s = SObjectSchema.of(o.asText());
        if (s == null) {
          adminError(ctx, 400, "unknown object type " + o.asText());
          return;
        }
        objects.add(s.name);
      }
    }
    sandbox.configureOutbound(url, objects);
    ctx.json(outboundStatus());
  }

  private Map<String, Object> usage() {
    return Map.of("used", allocation.used(), "limit", allocation.limit(),
        "request_limit_exceeded", sandbox.requestLimitExceededCount(), "invalid_session", sandbox.invalidSessionCount());
  }

  private Map<String, Object> outboundStatus() {
    Map<String, Object> m = new LinkedHashMap<>();
    OutboundMessenger.Config c = outbound.config();
    m.put("url", c.url() == null ? null : c.url().toString());
    m.put("objects", c.objects());
    m.put("posts", outbound.posts());
    m.put("failed_posts", outbound.failedPosts());
    m.put("pending", outbound.pending());
    m.put("acknowledged", outbound.acknowledged());
    m.put("abandoned", outbound.abandoned());
    return m;
  }

  private void adminOutcome(Context ctx, SObjectSchema s, SalesforceStore.WriteOutcome o, int okStatus) throws Exception {
    if (!o.success()) {
      Map<String, Object> e = o.errors().get(0);
      adminError(ctx, "NOT_FOUND".equals(e.get("statusCode")) ? 404 : 400, e.get("statusCode") + ": " + e.get("message"));
      return;
    }
    SalesforceWire.json(ctx, okStatus, SalesforceWire.recordJson(store.get(s.name, o.id()), s.fields(), SalesforceSandbox.API_PREFIX));
  }

  private SObjectSchema adminSchema(Context ctx) {
    SObjectSchema s = SObjectSchema.of(ctx.pathParam("object"));
    if (s == null) {
      adminError(ctx, 404, "unknown object type " + ctx.pathParam("object") + " (served: Account, Contact, Lead, Opportunity)");
    }
    return s;
  }

  private JsonNode adminBody(Context ctx) {
    try {
      JsonNode body = JSON.readTree(ctx.body().isBlank() ? "{}" : ctx.body());
      if (!body.isObject()) {
        adminError(ctx, 400, "the body must be a JSON object");
        return null;
      }
      return body;
    } catch (JsonProcessingException e) {
      adminError(ctx, 400, "the body is not valid JSON: " + e.getOriginalMessage());
      return null;
    }
  }

  private static void adminError(Context ctx, int status, String message) {
    ctx.status(status).json(Map.of("error", message));
  }

  private static int intParam(Context ctx, String name, int dflt) {
    String v = ctx.queryParam(name);
    if (v == null || !v.matches("\\d{1,9}")) {
      return dflt;
    }
    return Integer.parseInt(v);
  }
}
