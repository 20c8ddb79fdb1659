package dev.sluice.sandbox.segment;

import dev.sluice.sandbox.PlatformClock;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.sandbox.PlatformSandbox;
import dev.sluice.sandbox.SandboxServices;
import io.javalin.router.JavalinDefaultRoutingApi;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Segment's HTTP Tracking API: {@code /v1/identify}, {@code /v1/track} (and page, screen, group,
 * alias) and {@code /v1/batch}, Basic auth with the write key, the size limits (32 KB per event,
 * 500 KB and 2,500 events per batch, else 400), {@code messageId} dedupe and a per-second request
 * limit answered with 429 and {@code Retry-After}. Like Segment, a well-formed request is answered
 * 200 {@code {"success":true}} even when events in it are dropped (a wrong write key, no
 * userId/anonymousId, a track without {@code event}); dropped events are kept with their reason and
 * listed by the admin API. Thread-safe.
 */
public final class SegmentSandbox implements PlatformSandbox {

  public static final String API_PREFIX = "/v1";
  public static final int MAX_EVENT_BYTES = 32 * 1024;
  public static final int MAX_BATCH_BYTES = 500 * 1024;
  public static final int MAX_BATCH_EVENTS = 2_500;
  public static final int MAX_MESSAGE_ID_LENGTH = 100;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> TYPES = Set.of("identify", "track", "page", "screen", "group", "alias");
  private static final String SUCCESS = "{\"success\":true}";

  private final SegmentOptions options;
  private final PlatformClock clock;
  private final RequestRateLimiter limiter;
  private final ConcurrentLinkedQueue<SegmentEvent> events = new ConcurrentLinkedQueue<>();
  private final Set<String> seenMessageIds = ConcurrentHashMap.newKeySet();
  private final ConcurrentLinkedQueue<SegmentDrop> drops = new ConcurrentLinkedQueue<>();
  private final AtomicLong duplicates = new AtomicLong();
  private final AtomicLong rateLimited = new AtomicLong();
  private final AtomicLong rejectedRequests = new AtomicLong();
  /** Set when running inside the shared sandbox: client messageIds are reported as idempotency keys. */
  private volatile SandboxServices services;

  public SegmentSandbox(SegmentOptions options) {
    this.options = options;
    this.clock = new PlatformClock(options.clock());
    this.limiter = new RequestRateLimiter(clock, options.requestsPerSecond());
  }

  @Override
  public String name() {
    return "segment";
  }

  @Override
  public void attach(SandboxServices services) {
    clock.adopt(services.clock());
    this.services = services;
  }

  @Override
  public boolean ownsPath(String path) {
    return path.startsWith(API_PREFIX + "/");
  }

  @Override
  public void writeInjectedRateLimit(Context ctx) {
    ctx.status(429).header("Retry-After", "1");
    fail(ctx, 429, "rate limit exceeded");
  }

  @Override
  public Map<String, Object> describe(String serverBaseUrl) {
    String base = serverBaseUrl.endsWith("/") ? serverBaseUrl.substring(0, serverBaseUrl.length() - 1) : serverBaseUrl;
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("base_url", base + API_PREFIX);
    d.put("write_key", options.writeKey());
    d.put("requests_per_second", options.requestsPerSecond());
    return d;
  }

  @Override
  public void routes(JavalinDefaultRoutingApi app) {
    for (String type : TYPES) {
      app.post(API_PREFIX + "/" + type, ctx -> receive(ctx, type));
    }
    app.post(API_PREFIX + "/batch", ctx -> receive(ctx, null));
    app.post(API_PREFIX + "/import", ctx -> receive(ctx, null));
    app.get("/_admin/segment/events", ctx -> ctx.json(eventsJson(ctx.queryParam("type"), ctx.queryParam("userId"))));
    app.delete("/_admin/segment/events", ctx -> {
      clear();
      ctx.status(204);
    });
    app.get("/_admin/segment/stats", ctx -> ctx.json(stats()));
    app.get("/_admin/segment/dropped", ctx -> ctx.json(droppedJson()));
  }

  // ---- Java accessors ----

  public SegmentOptions options() {
    return options;
  }

  /** Accepted events in arrival order. */
  public List<SegmentEvent> events() {
    return List.copyOf(events);
  }

  public List<SegmentEvent> events(String type) {
    return events.stream().filter(e -> e.type().equals(type)).toList();
  }

  /** Events whose messageId had been seen before (answered 200, not stored again). */
  public long duplicateCount() {
    return duplicates.get();
  }

  /** Events dropped inside an accepted request, as {@code where: reason}. */
  public List<String> droppedEventReasons() {
    return drops.stream().map(d -> d.where() + ": " + d.reason()).toList();
  }

  /** Events dropped inside an accepted request, in arrival order. */
  public List<SegmentDrop> droppedEvents() {
    return List.copyOf(drops);
  }

  /** 429 answers served. */
  public long rateLimitedCount() {
    return rateLimited.get();
  }

  /** 400 and 401 answers served. */
  public long rejectedRequestCount() {
    return rejectedRequests.get();
  }

  /** Forgets received events, seen messageIds and counters. */
  public void clear() {
    events.clear();
    seenMessageIds.clear();
    drops.clear();
    duplicates.set(0);
    rateLimited.set(0);
    rejectedRequests.set(0);
  }

  // ---- API ----

  private void receive(Context ctx, String singleType) {
    long retryAfter = limiter.tryAcquire();
    if (retryAfter > 0) {
      rateLimited.incrementAndGet();
      ctx.header("Retry-After", Long.toString(retryAfter));
      fail(ctx, 429, "rate limit exceeded");
      return;
    }
    byte[] raw = ctx.bodyAsBytes();
    int maxBytes = singleType == null ? MAX_BATCH_BYTES : MAX_EVENT_BYTES;
    if (raw.length > maxBytes) {
      reject(ctx, 400, "request body of " + raw.length + " bytes is over the limit of " + maxBytes + " bytes");
      return;
    }
    JsonNode body;
    try {
      body = JSON.readTree(raw);
    } catch (java.io.IOException e) {
      reject(ctx, 400, "request body is not valid JSON");
      return;
    }
    if (body == null || !body.isObject()) {
      reject(ctx, 400, "request body must be a JSON object");
      return;
    }
    String dropAll = null;
    if (!authorized(ctx.header("Authorization"), body)) {
      if (options.strictWriteKey()) {
        reject(ctx, 401, "invalid or missing write key");
        return;
      }
      // Segment answers 200 and drops the events later: a connector must not count on a 401.
      dropAll = "invalid write key";
    }
    List<JsonNode> batch = new ArrayList<>();
    List<String> types = new ArrayList<>();
    if (singleType != null) {
      batch.add(body);
      types.add(singleType);
    } else {
      JsonNode list = body.get("batch");
      if (list == null || !list.isArray()) {
        reject(ctx, 400, "a batch request needs a \"batch\" array");
        return;
      }
      if (list.size() > MAX_BATCH_EVENTS) {
        reject(ctx, 400, "batch of " + list.size() + " events is over the limit of " + MAX_BATCH_EVENTS);
        return;
      }
      for (int i = 0; i < list.size(); i++) {
        JsonNode e = list.get(i);
        if (!e.isObject()) {
          reject(ctx, 400, "batch[" + i + "] is not an object");
          return;
        }
        int size = compactSize(e);
        if (size > MAX_EVENT_BYTES) {
          reject(ctx, 400, "batch[" + i + "] is " + size + " bytes, over the limit of " + MAX_EVENT_BYTES + " per event");
          return;
        }
        batch.add(e);
        types.add(e.path("type").asText(""));
      }
    }
    Instant now = clock.instant();
    for (int i = 0; i < batch.size(); i++) {
      String where = singleType == null ? "batch[" + i + "]" : singleType;
      if (dropAll != null) {
        drop(dropAll, where, types.get(i), batch.get(i), now);
      } else {
        accept(types.get(i), batch.get(i), now, where);
      }
    }
    ctx.status(200).contentType("application/json").result(SUCCESS);
  }

  private void accept(String type, JsonNode e, Instant now, String where) {
    String userId = idText(e.get("userId"));
    String anonymousId = idText(e.get("anonymousId"));
    String drop = null;
    if (!TYPES.contains(type)) {
      drop = "unknown type '" + type + "'";
    } else if (userId == null && anonymousId == null) {
      drop = "needs userId or anonymousId";
    } else if (type.equals("track") && idText(e.get("event")) == null) {
      drop = "track needs event";
    } else if (type.equals("group") && idText(e.get("groupId")) == null) {
      drop = "group needs groupId";
    } else if (type.equals("alias") && idText(e.get("previousId")) == null) {
      drop = "alias needs previousId";
    }
    String messageId = idText(e.get("messageId"));
    if (drop == null && messageId != null && messageId.length() >= MAX_MESSAGE_ID_LENGTH) {
      drop = "messageId must be shorter than " + MAX_MESSAGE_ID_LENGTH + " characters";
    }
    if (drop != null) {
      drop(drop, where, type, e, now);
      return;
    }
    if (messageId == null) {
      messageId = "sandbox-" + UUID.randomUUID();
    } else if (services != null) {
      services.recordIdempotencyKey(name(), messageId);
    }
    if (!seenMessageIds.add(messageId)) {
      duplicates.incrementAndGet();
      return;
    }
    events.add(new SegmentEvent(type, userId, anonymousId, idText(e.get("event")), messageId, e.deepCopy(), now));
  }

  private void drop(String reason, String where, String type, JsonNode e, Instant now) {
    drops.add(new SegmentDrop(reason, where, type, idText(e.get("messageId")), idText(e.get("userId")), now));
  }

  private boolean authorized(String header, JsonNode body) {
    if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
      try {
        String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        String key = colon < 0 ? decoded : decoded.substring(0, colon);
        return key.equals(options.writeKey());
      } catch (IllegalArgumentException e) {
        return false;
      }
    }
    // Segment also takes the key in the body, which some server libraries send.
    return options.writeKey().equals(body.path("writeKey").asText(null));
  }

  private void reject(Context ctx, int status, String message) {
    rejectedRequests.incrementAndGet();
    fail(ctx, status, message);
  }

  private static void fail(Context ctx, int status, String message) {
    try {
      ctx.status(status).contentType("application/json")
          .result(JSON.writeValueAsString(Map.of("success", false, "message", message)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int compactSize(JsonNode e) {
    try {
      return JSON.writeValueAsBytes(e).length;
    } catch (JsonProcessingException ex) {
      return Integer.MAX_VALUE;
    }
  }

  /** Ids may be strings or numbers; empty strings count as missing. */
  private static String idText(JsonNode n) {
    if (n == null || n.isNull() || n.isContainerNode()) {
      return null;
    }
    String s = n.asText();
    return s.isEmpty() ? null : s;
  }

  private List<Map<String, Object>> eventsJson(String type, String userId) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (SegmentEvent e : events) {
      if ((type != null && !type.equals(e.type())) || (userId != null && !userId.equals(e.userId()))) {
        continue;
      }
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("type", e.type());
      j.put("messageId", e.messageId());
      j.put("received_at", e.receivedAt().toString());
      j.put("payload", e.payload());
      out.add(j);
    }
    return out;
  }

  private List<Map<String, Object>> droppedJson() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (SegmentDrop d : drops) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("reason", d.reason());
      j.put("where", d.where());
      j.put("type", d.type());
      j.put("messageId", d.messageId());
      j.put("userId", d.userId());
      j.put("received_at", d.receivedAt().toString());
      out.add(j);
    }
    return out;
  }

  private Map<String, Object> stats() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("events", events.size());
    m.put("duplicates", duplicates.get());
    m.put("dropped", drops.size());
    m.put("rate_limited", rateLimited.get());
    m.put("rejected_requests", rejectedRequests.get());
    return m;
  }
}
