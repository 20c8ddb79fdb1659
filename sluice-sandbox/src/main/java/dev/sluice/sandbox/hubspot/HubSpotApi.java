package dev.sluice.sandbox.hubspot;

import static dev.sluice.sandbox.hubspot.HubSpotWire.NODES;
import static dev.sluice.sandbox.hubspot.HubSpotWire.baseUrl;
import static dev.sluice.sandbox.hubspot.HubSpotWire.bodyObject;
import static dev.sluice.sandbox.hubspot.HubSpotWire.error;
import static dev.sluice.sandbox.hubspot.HubSpotWire.listParam;
import static dev.sluice.sandbox.hubspot.HubSpotWire.parseId;
import static dev.sluice.sandbox.hubspot.HubSpotWire.recordJson;
import static dev.sluice.sandbox.hubspot.HubSpotWire.send;
import static dev.sluice.sandbox.hubspot.HubSpotWire.writtenJson;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.router.JavalinDefaultRoutingApi;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.UUID;

/**
 * The HubSpot CRM wire API: v3 objects (list, get, create, update, archive, batch, search, merge)
 * and, through {@link HubSpotAssociationsApi}, v4 associations, behind private-app auth and the rate
 * limits.
 */
final class HubSpotApi {
  static final int LIST_LIMIT_DEFAULT = 10;
  static final int LIST_LIMIT_MAX = 100;
  static final int BATCH_MAX_INPUTS = 100;

  private final HubSpotSandbox portal;
  private final SearchEngine search;

  HubSpotApi(HubSpotSandbox portal) {
    this.portal = portal;
    this.search = new SearchEngine(portal);
  }

  void register(JavalinDefaultRoutingApi app) {
    app.before("/crm/*", this::authorizeAndLimit);
    app.get("/crm/v3/objects/{type}", this::list);
    app.post("/crm/v3/objects/{type}", this::create);
    app.get("/crm/v3/objects/{type}/{id}", this::get);
    app.patch("/crm/v3/objects/{type}/{id}", this::update);
    app.delete("/crm/v3/objects/{type}/{id}", this::archive);
    app.post("/crm/v3/objects/{type}/{action}", this::objectAction);
    app.post("/crm/v3/objects/{type}/batch/{action}", this::batch);
    app.get("/crm/v3/properties/{type}", this::properties);
    app.get("/crm/v3/properties/{type}/{name}", this::property);
    new HubSpotAssociationsApi(portal).register(app);
  }

  // ---- auth and limits ----

  private void authorizeAndLimit(Context ctx) {
    String auth = ctx.header("Authorization");
    String token = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).trim() : null;
    if (token == null || token.isEmpty()) {
      error(ctx, 401, "INVALID_AUTHENTICATION",
          "Authentication credentials not found. This API expects a private app access token sent as 'Authorization: Bearer <token>'.");
      stop(ctx);
      return;
    }
    if (!portal.isValidToken(token)) {
      error(ctx, 401, "INVALID_AUTHENTICATION",
          "The access token is not valid for this portal. Check that it belongs to a private app installed in portal "
              + portal.options().portalId + ".");
      stop(ctx);
      return;
    }
    RateLimiter.CallClass callClass = classify(ctx, portal.options().associationReadsInTenSecondWindow);
    RateLimiter.Decision d = portal.limiter().acquire(token, callClass);
    // Search answers carry no rate-limit headers; calls outside the 10-second window (v4 batch
    // association calls, unless counted there) carry only the daily ones.
    if (callClass != RateLimiter.CallClass.SEARCH) {
      if (callClass == RateLimiter.CallClass.STANDARD) {
        ctx.header("X-HubSpot-RateLimit-Max", Integer.toString(d.windowMax()));
        ctx.header("X-HubSpot-RateLimit-Remaining", Integer.toString(d.windowRemaining()));
        ctx.header("X-HubSpot-RateLimit-Interval-Milliseconds", Long.toString(RateLimiter.WINDOW_MILLIS));
      }
      ctx.header("X-HubSpot-RateLimit-Daily", Long.toString(d.dailyMax()));
      ctx.header("X-HubSpot-RateLimit-Daily-Remaining", Long.toString(d.dailyRemaining()));
    }
    if (!d.allowed()) {
      if (portal.options().sendRetryAfter) {
        ctx.header("Retry-After", Long.toString(Math.max(1, (d.retryAfterMillis() + 999) / 1000)));
      }
      writeRateLimited(ctx, d.policy());
      stop(ctx);
    }
  }

  private static RateLimiter.CallClass classify(Context ctx, boolean associationReadsInTenSecondWindow) {
    String path = ctx.path();
    if (ctx.method().name().equals("POST") && path.endsWith("/search")) return RateLimiter.CallClass.SEARCH;
    if (path.startsWith("/crm/v4/associations/") && path.contains("/batch/")) {
      boolean read = path.endsWith("/batch/read");
      return read && associationReadsInTenSecondWindow ? RateLimiter.CallClass.STANDARD : RateLimiter.CallClass.DAILY_ONLY;
    }
    return RateLimiter.CallClass.STANDARD;
  }

  private void stop(Context ctx) {
    portal.services().answered(ctx);
  }

  /** HubSpot's 429 bodies: the search one has no {@code policyName}. */
  static void writeRateLimited(Context ctx, String policy) {
    ObjectNode body = NODES.objectNode();
    body.put("status", "error");
    if ("SECONDLY".equals(policy)) {
      body.put("message", "You have reached your secondly limit.");
      body.put("correlationId", UUID.randomUUID().toString());
      body.put("category", "RATE_LIMITS");
    } else {
      body.put("message", "DAILY".equals(policy)
          ? "You have reached your daily limit." : "You have reached your ten_secondly_rolling limit.");
      body.put("errorType", "RATE_LIMIT");
      body.put("correlationId", UUID.randomUUID().toString());
      body.put("policyName", policy);
    }
    send(ctx, 429, body);
  }

  // ---- v3 properties ----

  /**
   * Read all properties. The sandbox has no archived properties, so {@code archived=true} lists
   * none; HubSpot does not page this list.
   */
  private void properties(Context ctx) {
    HubSpotObjectType type = type(ctx, "type");
    if (type == null) return;
    boolean archived = "true".equalsIgnoreCase(ctx.queryParam("archived"));
    List<HubSpotProperties.Definition> defs = archived ? List.of()
        : portal.read(() -> HubSpotProperties.all(portal.store().table(type)));
    ObjectNode body = NODES.objectNode();
    ArrayNode results = body.putArray("results");
    for (int i = 0; i < defs.size(); i++) results.add(HubSpotProperties.json(defs.get(i), i));
    send(ctx, 200, body);
  }

  private void property(Context ctx) {
    HubSpotObjectType type = type(ctx, "type");
    if (type == null) return;
    String name = ctx.pathParam("name");
    boolean archived = "true".equalsIgnoreCase(ctx.queryParam("archived"));
    List<HubSpotProperties.Definition> defs = archived ? List.of()
        : portal.read(() -> HubSpotProperties.all(portal.store().table(type)));
    for (int i = 0; i < defs.size(); i++) {
      if (defs.get(i).name().equals(name)) {
        send(ctx, 200, HubSpotProperties.json(defs.get(i), i));
        return;
      }
    }
    error(ctx, 404, "OBJECT_NOT_FOUND", "Property " + name + " does not exist");
  }

  // ---- v3 objects ----

  private void list(Context ctx) {
    HubSpotObjectType type = type(ctx, "type");
    if (type == null) return;
    Integer limit = intParam(ctx, "limit", LIST_LIMIT_DEFAULT, 1, LIST_LIMIT_MAX);
    if (limit == null) return;
    Long after = null;
    String afterText = ctx.queryParam("after");
    if (afterText != null && !afterText.isEmpty()) {
      try {
        after = Long.parseLong(afterText);
      } catch (NumberFormatException e) {
        error(ctx, 400, "VALIDATION_ERROR", "'after' is not a paging token this endpoint issued: " + afterText);
        return;
      }
    }
    boolean archived = "true".equalsIgnoreCase(ctx.queryParam("archived"));
    List<String> properties = listParam(ctx, "properties");
    List<HubSpotObjectType> associations = associationTypes(ctx);
    if (associations == null) return;
    final Long from = after;
    ObjectNode body = portal.read(() -> {
      PortalStore store = portal.store();
      PortalStore.Table t = store.table(type);
      NavigableMap<Long, PortalStore.Rec> map = archived ? t.archived : t.live;
      if (from != null) map = map.tailMap(from, true);
      ObjectNode out = NODES.objectNode();
      ArrayNode results = out.putArray("results");
      Long next = null;
      int n = 0;
      for (PortalStore.Rec r : map.values()) {
        if (n == limit) {
          next = r.id;
          break;
        }
        results.add(recordJson(t, r, properties, associations, archived));
        n++;
      }
      if (next != null) {
        ObjectNode nextNode = out.putObject("paging").putObject("next");
        nextNode.put("after", Long.toString(next));
        nextNode.put("link", baseUrl(ctx) + "/crm/v3/objects/" + type.plural() + "?after=" + next);
      }
      return out;
    });
    send(ctx, 200, body);
  }

  private void get(Context ctx) {
    HubSpotObjectType type = type(ctx, "type");
    if (type == null) return;
    String id = ctx.pathParam("id");
    String idProperty = ctx.queryParam("idProperty");
    boolean archived = "true".equalsIgnoreCase(ctx.queryParam("archived"));
    List<String> properties = listParam(ctx, "properties");
    List<HubSpotObjectType> associations = associationTypes(ctx);
    if (associations == null) return;
    if (idProperty != null && !portal.read(() -> portal.store().hasUniqueIndex(type, idProperty))) {
      portal.write(changes -> {
        portal.store().ensureUniqueIndex(type, idProperty);
        return null;
      });
    }
    ObjectNode body = portal.read(() -> {
      PortalStore store = portal.store();
      PortalStore.Table t = store.table(type);
      PortalStore.Rec r;
      if (idProperty != null) {
        r = archived ? null : store.byUnique(type, idProperty, id);
      } else {
        Long n = parseId(id);
        r = n == null ? null : archived ? t.archived.get(n) : store.live(type, n);
      }
      return r == null ? null : recordJson(t, r, properties, associations, archived);
    });
    if (body == null) {
      error(ctx, 404, "OBJECT_NOT_FOUND", "resource not found");
      return;
    }
    send(ctx, 200, body);
  }

  private void create(Context ctx) {
    HubSpotObjectType type = type(ctx, "type");
    if (type == null) return;
    JsonNode in = bodyObject(ctx);
    if (in == null) return;
    WriteInput input = WriteInput.parse(type, in);
    String problem = input.problem();
    if (problem != null) {
      error(ctx, 400, "VALIDATION_ERROR", problem);
      return;
    }
    Object result = portal.write(changes -> {
      PortalStore store = portal.store();
      String conflict = uniquenessConflict(store, type, input.properties());
      if (conflict != null) return conflict;
      String assocProblem = associationProblem(store, type, input);
      if (assocProblem != null) return new IllegalArgumentException(assocProblem);
      PortalStore.Rec r = store.create(type, input.properties(), store.clock.millis(), HubSpotSandbox.SOURCE_API, changes);
      applyAssociations(store, type, r, input, changes);
      return writtenJson(store.table(type), r, input.properties().keySet(), null);
    });
    if (result instanceof String conflict) {
      error(ctx, 409, "CONFLICT", conflict);
    } else if (result instanceof IllegalArgumentException e) {
      error(ctx, 400, "VALIDATION_ERROR", e.getMessage());
    } else {
      send(ctx, 201, (ObjectNode) result);
    }
  }

  private void update(Context ctx) {
    HubSpotObjectType type = type(ctx, "type");
    if (type == null) return;
    JsonNode in = bodyObject(ctx);
    if (in == null) return;
    Map<String, String> props = WriteInput.properties(in.get("properties"));
    if (props == null) {
      error(ctx, 400, "VALIDATION_ERROR", "'properties' must be an object of property names to values");
      return;
    }
    String invalid = WriteInput.propertyProblem(type, props);
    if (invalid != null) {
      error(ctx, 400, "VALIDATION_ERROR", invalid);
      return;
    }
    Long id = parseId(ctx.pathParam("id"));
    ObjectNode body = portal.write(changes -> {
      PortalStore store = portal.store();
      PortalStore.Rec r = id == null ? null : store.live(type, id);
      if (r == null) return null;
      store.update(type, r, props, HubSpotSandbox.SOURCE_API, changes);
      return writtenJson(store.table(type), r, props.keySet(), null);
    });
    if (body == null) {
      error(ctx, 404, "OBJECT_NOT_FOUND", "resource not found");
      return;
    }
    send(ctx, 200, body);
  }

  private void archive(Context ctx) {
    HubSpotObjectType type = type(ctx, "type");
    if (type == null) return;
    Long id = parseId(ctx.pathParam("id"));
    portal.write(changes -> {
      PortalStore store = portal.store();
      PortalStore.Rec r = id == null ? null : store.live(type, id);
      // Archiving a missing or already archived record is not an error in HubSpot.
      if (r != null) store.archive(type, r, HubSpotSandbox.SOURCE_API, changes);
      return null;
    });
    ctx.status(204);
  }

  private void objectAction(Context ctx) {
    String action = ctx.pathParam("action");
    switch (action) {
      case "search" -> search.handle(ctx);
      case "merge" -> merge(ctx);
      default -> error(ctx, 404, "OBJECT_NOT_FOUND", "Unknown endpoint: POST " + ctx.path());
    }
  }

  private void merge(Context ctx) {
    HubSpotObjectType type = type(ctx, "type");
    if (type == null) return;
    if (type.engagement()) {
      error(ctx, 400, "VALIDATION_ERROR", type.plural() + " cannot be merged");
      return;
    }
    JsonNode in = bodyObject(ctx);
    if (in == null) return;
    Long primary = parseId(in.path("primaryObjectId").asText(null));
    Long secondary = parseId(in.path("objectIdToMerge").asText(null));
    if (primary == null || secondary == null) {
      error(ctx, 400, "VALIDATION_ERROR", "'primaryObjectId' and 'objectIdToMerge' are both required record ids");
      return;
    }
    Object result = portal.write(changes -> {
      PortalStore store = portal.store();
      PortalStore.Rec p = store.live(type, primary);
      PortalStore.Rec s = store.live(type, secondary);
      if (p == null || s == null) return "OBJECT_NOT_FOUND";
      if (p == s) return "SAME";
      store.merge(type, p, s, HubSpotSandbox.SOURCE_API, changes);
      return recordJson(store.table(type), p, null, List.of(), false);
    });
    if ("OBJECT_NOT_FOUND".equals(result)) {
      error(ctx, 404, "OBJECT_NOT_FOUND", "resource not found");
    } else if ("SAME".equals(result)) {
      error(ctx, 400, "VALIDATION_ERROR", "a record cannot be merged into itself");
    } else {
      send(ctx, 200, (ObjectNode) result);
    }
  }

  // ---- batch ----

  private void batch(Context ctx) {
    HubSpotObjectType type = type(ctx, "type");
    if (type == null) return;
    JsonNode in = bodyObject(ctx);
    if (in == null) return;
    JsonNode inputs = in.get("inputs");
    if (inputs == null || !inputs.isArray()) {
      error(ctx, 400, "VALIDATION_ERROR", "'inputs' is required and must be an array");
      return;
    }
    if (inputs.size() > BATCH_MAX_INPUTS) {
      error(ctx, 400, "VALIDATION_ERROR", "Too many inputs: " + inputs.size() + " given, at most " + BATCH_MAX_INPUTS + " allowed per batch");
      return;
    }
    // objectWriteTraceId is the closest HubSpot has to an idempotency key: count it for tests.
    for (JsonNode input : inputs) {
      if (input.hasNonNull("objectWriteTraceId")) portal.services().recordIdempotencyKey("hubspot", input.get("objectWriteTraceId").asText());
    }
    String startedAt = PortalStore.iso(portal.store().clock.millis());
    BatchOutcome outcome;
    switch (ctx.pathParam("action")) {
      case "read" -> outcome = new BatchWrites(portal, type).read(in, "true".equalsIgnoreCase(ctx.queryParam("archived")));
      case "create" -> outcome = new BatchWrites(portal, type).create(inputs);
      case "update" -> outcome = new BatchWrites(portal, type).update(inputs);
      case "upsert" -> outcome = new BatchWrites(portal, type).upsert(inputs);
      case "archive" -> outcome = new BatchWrites(portal, type).archive(inputs);
      default -> {
        error(ctx, 404, "OBJECT_NOT_FOUND", "Unknown batch action '" + ctx.pathParam("action") + "'; use read, create, update, upsert or archive");
        return;
      }
    }
    if (outcome.validationError() != null) {
      error(ctx, 400, "VALIDATION_ERROR", outcome.validationError());
      return;
    }
    boolean isArchive = ctx.pathParam("action").equals("archive");
    if (isArchive && outcome.errors().isEmpty()) {
      ctx.status(204);
      return;
    }
    ObjectNode body = NODES.objectNode();
    body.put("status", "COMPLETE");
    ArrayNode results = body.putArray("results");
    outcome.results().forEach(results::add);
    if (!outcome.errors().isEmpty()) {
      body.put("numErrors", outcome.errors().size());
      ArrayNode errors = body.putArray("errors");
      outcome.errors().forEach(errors::add);
    }
    body.put("startedAt", startedAt);
    body.put("completedAt", PortalStore.iso(portal.store().clock.millis()));
    int status = !outcome.errors().isEmpty() ? 207 : ctx.pathParam("action").equals("create") ? 201 : 200;
    send(ctx, status, body);
  }

  /** The results and per-input errors of one batch call, or a whole-request validation error. */
  record BatchOutcome(List<ObjectNode> results, List<ObjectNode> errors, String validationError) {
    static BatchOutcome invalid(String message) {
      return new BatchOutcome(List.of(), List.of(), message);
    }
  }

  // ---- shared pieces ----

  /** A message if creating these properties would duplicate a contact's email; write lock held. */
  static String uniquenessConflict(PortalStore store, HubSpotObjectType type, Map<String, String> properties) {
    if (type != HubSpotObjectType.CONTACTS) return null;
    String email = properties.get("email");
    if (email == null || email.isEmpty()) return null;
    store.ensureUniqueIndex(type, "email");
    PortalStore.Rec existing = store.byUnique(type, "email", email);
    return existing == null ? null : "Contact already exists. Existing ID: " + existing.id;
  }

  static String associationProblem(PortalStore store, HubSpotObjectType type, WriteInput input) {
    for (WriteInput.Link link : input.associations()) {
      AssociationKind kind = AssociationKind.byTypeId(type, link.typeId());
      if (kind == null) return "association type " + link.typeId() + " does not start at " + type.plural();
      Long id = parseId(link.toId());
      if (id == null || store.live(kind.to(), id) == null) return kind.to().singular() + " " + link.toId() + " does not exist";
    }
    return null;
  }

  static void applyAssociations(PortalStore store, HubSpotObjectType type, PortalStore.Rec r, WriteInput input, List<Change> changes) {
    for (WriteInput.Link link : input.associations()) {
      AssociationKind kind = AssociationKind.byTypeId(type, link.typeId());
      store.associate(kind, r, store.live(kind.to(), Long.parseLong(link.toId())), HubSpotSandbox.SOURCE_API, changes);
    }
  }

  static HubSpotObjectType type(Context ctx, String param) {
    HubSpotObjectType t = HubSpotObjectType.fromPath(ctx.pathParam(param));
    if (t == null) {
      error(ctx, 400, "VALIDATION_ERROR", "Unable to infer object type from: " + ctx.pathParam(param)
          + " (the sandbox serves contacts, companies, deals, tickets, tasks and notes)");
    }
    return t;
  }

  private static List<HubSpotObjectType> associationTypes(Context ctx) {
    List<HubSpotObjectType> out = new ArrayList<>();
    for (String name : listParam(ctx, "associations")) {
      HubSpotObjectType t = HubSpotObjectType.fromPath(name);
      if (t == null) {
        error(ctx, 400, "VALIDATION_ERROR", "Unknown association object type: " + name);
        return null;
      }
      out.add(t);
    }
    return out;
  }

  private static Integer intParam(Context ctx, String name, int dflt, int min, int max) {
    String v = ctx.queryParam(name);
    if (v == null || v.isEmpty()) return dflt;
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        error(ctx, 400, "VALIDATION_ERROR", "'" + name + "' must be between " + min + " and " + max + ", got " + n);
        return null;
      }
      return n;
    } catch (NumberFormatException e) {
      error(ctx, 400, "VALIDATION_ERROR", "'" + name + "' must be an integer, got '" + v + "'");
      return null;
    }
  }

}
