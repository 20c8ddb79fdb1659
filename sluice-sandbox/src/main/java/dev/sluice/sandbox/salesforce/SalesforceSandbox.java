package dev.sluice.sandbox.salesforce;

import dev.sluice.sandbox.PlatformClock;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.sandbox.PlatformSandbox;
import dev.sluice.sandbox.SandboxServices;
import io.javalin.router.JavalinDefaultRoutingApi;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Salesforce REST API (every version from v31.0 to v65.0) over Account, Contact, Lead and
 * Opportunity: SOQL query/queryAll with {@code nextRecordsUrl} paging, date literals and parent
 * fields; create, retrieve, update, delete and upsert of one record; sObject Collections; describe;
 * getUpdated/getDeleted; bearer auth, the rolling 24-hour request allocation with
 * {@code Sforce-Limit-Info}, and Outbound Messages. {@code base_url} is {@value #API_PREFIX};
 * admin routes under {@code /_admin/salesforce/}.
 * Thread-safe.
 */
public final class SalesforceSandbox implements PlatformSandbox {

  /** The path every Salesforce API route starts with; {@code base_url} is the server plus this. */
  public static final String API_PREFIX = "/services/data/v65.0";
  /** sObject Collections accept at most this many records per call. */
  public static final int MAX_COLLECTION_RECORDS = 200;

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Every served version's routes: {@code /services/data/v31.0} … {@code v65.0} (see {@link SalesforceWire}). */
  private static final String VERSIONED_PREFIX = "/services/data/{version}";

  private final SalesforceOptions options;
  private final PlatformClock clock;
  private final SalesforceStore store;
  private final ApiAllocation allocation;
  private final SalesforceRestReads reads;
  private final SalesforceRestWrites writes;
  private final OutboundMessenger outbound;
  private final AtomicLong limitExceeded = new AtomicLong();
  private final java.util.concurrent.atomic.AtomicBoolean generated = new java.util.concurrent.atomic.AtomicBoolean();
  private final AtomicLong invalidSessions = new AtomicLong();
  /** Set by {@link #describe}; until then derived from the server's port. */
  private volatile String serverBaseUrl;
  private volatile SandboxServices services;

  public SalesforceSandbox(SalesforceOptions options) {
    this.options = options;
    this.clock = new PlatformClock(options.clock());
    this.store = new SalesforceStore(clock);
    this.allocation = new ApiAllocation(clock, options.dailyApiAllocation());
    if (options.clock() != null) {
      generateOnce();
    }
    this.reads = new SalesforceRestReads(store, new QueryCursors(), options, clock);
    this.writes = new SalesforceRestWrites(store);
    this.outbound = new OutboundMessenger(store, options, this::serverBaseUrl);
    store.onChange(outbound::recordChanged);
  }

  /**
   * Generates the seeded data once, with the clock the platform will run on: at construction when
   * the options name a clock, else when the shared sandbox attaches its clock (or at first use).
   */
  private void generateOnce() {
    if (generated.compareAndSet(false, true)) {
      new SalesforceDataGenerator(options.seed(), clock.instant()).generate(store, options);
    }
  }

  @Override
  public String name() {
    return "salesforce";
  }

  @Override
  public void attach(SandboxServices services) {
    this.services = services;
    clock.adopt(services.clock());
    generateOnce();
  }

  @Override
  public boolean ownsPath(String path) {
    return path.startsWith("/services/data");
  }

  /** Unknown resources answer Salesforce's {@code [{"errorCode":"NOT_FOUND",…}]}, not a framework page. */
  @Override
  public void writeUnknownEndpoint(Context ctx) {
    try {
      error(ctx, SalesforceWire.notFound());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Salesforce signals a spent allocation with 403 {@code REQUEST_LIMIT_EXCEEDED}, not 429. */
  @Override
  public void writeInjectedRateLimit(Context ctx) {
    ctx.header("Sforce-Limit-Info", allocation.header());
    try {
      error(ctx, new SalesforceApiException(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public Map<String, Object> describe(String serverBaseUrl) {
    this.serverBaseUrl = stripSlash(serverBaseUrl);
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("base_url", this.serverBaseUrl + API_PREFIX);
    d.put("instance_url", this.serverBaseUrl);
    d.put("access_token", options.accessToken());
    d.put("organization_id", options.organizationId());
    d.put("api_version", "65.0");
    d.put("daily_api_allocation", allocation.limit());
    return d;
  }

  @Override
  public void routes(JavalinDefaultRoutingApi app) {
    generateOnce();
    // "Every response carries Sforce-Limit-Info", also answers of unknown API paths.
    app.after("/services/data/*", ctx -> {
      if (ctx.res().getHeader("Sforce-Limit-Info") == null) {
        ctx.header("Sforce-Limit-Info", allocation.header());
      }
    });
    app.get("/services/data", ctx -> ctx.contentType("application/json").result(JSON.writeValueAsString(
        SalesforceWire.versions())));
    String v = VERSIONED_PREFIX;
    app.get(v, api(ctx -> json(ctx, 200, resources(ctx))));
    app.get(v + "/query", api(ctx -> reads.query(ctx, false)));
    app.get(v + "/query/{locator}", api(ctx -> reads.nextPage(ctx, false)));
    app.get(v + "/queryAll", api(ctx -> reads.query(ctx, true)));
    app.get(v + "/queryAll/{locator}", api(ctx -> reads.nextPage(ctx, true)));
    app.get(v + "/sobjects", api(ctx -> json(ctx, 200, SalesforceDescribe.global(SalesforceWire.prefix(ctx)))));
    app.get(v + "/sobjects/{object}", api(ctx ->
        json(ctx, 200, SalesforceDescribe.basicInfo(SalesforceWire.pathSchema(ctx), SalesforceWire.prefix(ctx)))));
    app.post(v + "/sobjects/{object}", api(writes::create));
    // describe, deleted/ and updated/ share the {id} position; the handler tells them apart.
    app.get(v + "/sobjects/{object}/{id}", api(this::sobjectGet));
    app.patch(v + "/sobjects/{object}/{id}", api(writes::update));
    app.delete(v + "/sobjects/{object}/{id}", api(writes::delete));
    app.get(v + "/sobjects/{object}/{field}/{value}", api(reads::retrieveByExternalId));
    app.patch(v + "/sobjects/{object}/{field}/{value}", api(ctx -> writes.upsertOne(ctx, SalesforceWire.version(ctx))));
    app.post(v + "/composite/sobjects", api(writes::createMany));
    app.patch(v + "/composite/sobjects", api(writes::updateMany));
    app.delete(v + "/composite/sobjects", api(writes::deleteMany));
    app.get(v + "/composite/sobjects/{object}", api(ctx -> reads.retrieveMany(ctx, true)));
    app.post(v + "/composite/sobjects/{object}", api(ctx -> reads.retrieveMany(ctx, false)));
    app.patch(v + "/composite/sobjects/{object}/{field}", api(writes::upsertMany));
    app.get(v + "/limits", api(this::limits));

    new SalesforceAdminRoutes(this, store, allocation, outbound).register(app);
  }

  @Override
  public void close() {
    outbound.close();
  }

  // ---- Java accessors for tests and the CLI ----

  public SalesforceOptions options() {
    return options;
  }

  /** Records of {@code type} ({@code "Contact"} …) in id order, as snapshots. */
  public List<SObjectRecord> records(String type) {
    generateOnce();
    List<SObjectRecord> out = new ArrayList<>();
    store.scan(schema(type).name).forEach(out::add);
    return out;
  }

  public Optional<SObjectRecord> record(String type, String id) {
    generateOnce();
    SObjectSchema s = schema(type);
    String resolved = store.resolveId(s.name, id);
    return Optional.ofNullable(resolved == null ? null : store.get(s.name, resolved));
  }

  /** Creates a record as a Salesforce user would (sends outbound messages). */
  public SObjectRecord createRecord(String type, Map<String, ?> fields) {
    SalesforceStore.WriteOutcome o = store.write(List.of(
        new SalesforceStore.WriteRequest(schema(type), null, null, JSON.valueToTree(fields))), false).get(0);
    return requireSuccess(type, o);
  }

  /** Edits a record as a Salesforce user would (sends outbound messages). */
  public SObjectRecord updateRecord(String type, String id, Map<String, ?> fields) {
    return requireSuccess(type, store.update(schema(type), id, JSON.valueToTree(fields)));
  }

  /** Deletes a record as a Salesforce user would (to the recycle bin: queryAll still shows it, IsDeleted true). */
  public boolean deleteRecord(String type, String id) {
    generateOnce();
    return store.delete(schema(type), id) == SalesforceStore.DeleteOutcome.DELETED;
  }

  /** Records of {@code type} in the recycle bin (IsDeleted true), as snapshots. */
  public List<SObjectRecord> deletedRecords(String type) {
    generateOnce();
    List<SObjectRecord> out = new ArrayList<>();
    store.deletedBetween(schema(type).name, Instant.MIN, Instant.MAX).forEach(t -> out.add(t.record()));
    return out;
  }

  /** API calls counted in the current rolling 24 hours. */
  public long apiUsage() {
    return allocation.used();
  }

  public void setDailyApiAllocation(long limit) {
    allocation.setLimit(limit);
  }

  public void resetApiUsage() {
    allocation.reset();
  }

  /** 403 {@code REQUEST_LIMIT_EXCEEDED} answers served. */
  public long requestLimitExceededCount() {
    return limitExceeded.get();
  }

  /** 401 {@code INVALID_SESSION_ID} answers served. */
  public long invalidSessionCount() {
    return invalidSessions.get();
  }

  /** Points outbound messages at {@code url} (null switches them off) for the given object types. */
  public void configureOutbound(URI url, Set<String> objects) {
    Set<String> canonical = new HashSet<>();
    for (String o : objects) {
      canonical.add(schema(o).name);
    }
    outbound.configure(new OutboundMessenger.Config(url, Set.copyOf(canonical)));
  }

  /** Notification ids the listener has acknowledged. */
  public Set<String> acknowledgedNotificationIds() {
    return outbound.acknowledged();
  }

  /** Notifications not yet acknowledged nor abandoned. */
  public long pendingNotifications() {
    return outbound.pending();
  }

  /** Outbound message POSTs made, and how many of them were not acknowledged. */
  public long outboundPosts() {
    return outbound.posts();
  }

  public long outboundFailedPosts() {
    return outbound.failedPosts();
  }

  // ---- API handlers ----

  @FunctionalInterface
  private interface ApiHandler {
    void handle(Context ctx) throws Exception;
  }

  /** Version check, auth, the allocation and the limit header around every API route; errors as JSON arrays. */
  private Handler api(ApiHandler inner) {
    return ctx -> {
      try {
        SalesforceWire.version(ctx);
      } catch (SalesforceApiException e) {
        error(ctx, e);
        return;
      }
      String auth = ctx.header("Authorization");
      String token = null;
      if (auth != null) {
        String lower = auth.toLowerCase(Locale.ROOT);
        if (lower.startsWith("bearer ")) {
          token = auth.substring(7).trim();
        } else if (lower.startsWith("oauth ")) {
          token = auth.substring(6).trim();
        }
      }
      if (!options.accessToken().equals(token)) {
        invalidSessions.incrementAndGet();
        ctx.header("Sforce-Limit-Info", allocation.header());
        error(ctx, new SalesforceApiException(401, "INVALID_SESSION_ID", "Session expired or invalid"));
        return;
      }
      boolean admitted = allocation.tryAcquire();
      ctx.header("Sforce-Limit-Info", allocation.header());
      if (!admitted) {
        limitExceeded.incrementAndGet();
        error(ctx, new SalesforceApiException(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."));
        return;
      }
      try {
        inner.handle(ctx);
      } catch (SalesforceApiException e) {
        error(ctx, e);
      } catch (JsonProcessingException e) {
        error(ctx, new SalesforceApiException(400, "JSON_PARSER_ERROR",
            "The request body is not valid JSON: " + e.getOriginalMessage()));
      }
    };
  }

  private void sobjectGet(Context ctx) throws Exception {
    switch (ctx.pathParam("id")) {
      case "describe" -> json(ctx, 200, SalesforceDescribe.describe(SalesforceWire.pathSchema(ctx), SalesforceWire.prefix(ctx)));
      case "deleted" -> reads.deleted(ctx);
      case "updated" -> reads.updated(ctx);
      default -> reads.retrieve(ctx);
    }
  }

  /** {@code GET /services/data/vNN.0}: the resources of a version. */
  private static ObjectNode resources(Context ctx) {
    ObjectNode body = JSON.createObjectNode();
    String p = SalesforceWire.prefix(ctx);
    for (String r : List.of("sobjects", "query", "queryAll", "composite", "limits")) {
      body.put(r, p + "/" + r);
    }
    return body;
  }

  private void limits(Context ctx) throws Exception {
    ObjectNode body = JSON.createObjectNode();
    ObjectNode daily = body.putObject("DailyApiRequests");
    daily.put("Max", allocation.limit());
    daily.put("Remaining", Math.max(0, allocation.limit() - allocation.used()));
    json(ctx, 200, body);
  }

  // ---- wire shapes ----

  private static ObjectNode recordJson(SObjectRecord r, List<SObjectSchema.Field> fields) {
    return SalesforceWire.recordJson(r, fields, API_PREFIX);
  }

  private static void error(Context ctx, SalesforceApiException e) throws JsonProcessingException {
    SalesforceWire.error(ctx, e);
  }

  private static void json(Context ctx, int status, JsonNode body) throws JsonProcessingException {
    SalesforceWire.json(ctx, status, body);
  }

  private static SObjectSchema schema(String type) {
    SObjectSchema s = SObjectSchema.of(type);
    if (s == null) {
      throw new IllegalArgumentException("unknown Salesforce object type " + type
          + " (served: Account, Contact, Lead, Opportunity)");
    }
    return s;
  }

  private SObjectRecord requireSuccess(String type, SalesforceStore.WriteOutcome o) {
    if (!o.success()) {
      throw new IllegalArgumentException(type + " write failed: " + o.errors());
    }
    return store.get(schema(type).name, o.id());
  }

  private String serverBaseUrl() {
    String url = serverBaseUrl;
    if (url != null) {
      return url;
    }
    SandboxServices s = services;
    return s == null ? "http://127.0.0.1:0" : s.baseUrl();
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
