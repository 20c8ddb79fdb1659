package dev.sluice.server.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.leads.InvalidLeadException;
import dev.sluice.leads.Lead;
import dev.sluice.leads.LeadIntake;
import dev.sluice.leads.LeadReceipt;
import dev.sluice.leads.LeadSource;
import dev.sluice.leads.LeadState;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Lead intake over HTTP: {@code POST /v1/leads} (JSON or a plain HTML form, authenticated by the
 * source's intake key, CORS for its origins) answered 202 only after the commit, and the admin
 * reads {@code GET /v1/leads}, {@code /v1/leads/stats}, {@code /v1/leads/{id}}. See docs/leads.md.
 */
final class LeadRoutes {
  /** Largest lead body: a form of a few dozen fields is a few kilobytes. */
  static final int MAX_BODY_BYTES = 64 * 1024;
  /** Header carrying the intake key (or {@code Authorization: Bearer <key>}, or a {@code _key} field). */
  static final String KEY_HEADER = "X-Sluice-Lead-Key";
  /** Longest a request waits for its commit before it is answered 503 (nothing is acknowledged). */
  static final Duration COMMIT_WAIT = Duration.ofSeconds(10);

  private final LeadIntake intake;
  private final ObjectMapper json;
  private final ObjectMapper strictJson = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** @param intake the lead intake, or null when this server takes no leads (every lead route answers 404) */
  LeadRoutes(LeadIntake intake, ObjectMapper json) {
    this.intake = intake;
    this.json = json;
  }

  private LeadIntake intake() {
    if (intake == null) throw ApiError.notFound("this server takes no leads (no leads: section is configured)");
    return intake;
  }

  /** True for the calls that carry an intake key instead of the admin token. */
  static boolean isIntake(Context ctx) {
    String path = ctx.path();
    boolean leads = path.equals("/v1/leads") || path.equals("/v1/leads/");
    String method = ctx.method().name();
    return leads && (method.equals("POST") || method.equals("OPTIONS"));
  }

  /** {@code OPTIONS /v1/leads}: the CORS preflight; allowed when some source lists the origin. */
  void preflight(Context ctx) {
    String origin = ctx.header("Origin");
    boolean allowed = origin != null && intake().sources().values().stream().anyMatch(s -> s.allowsOrigin(origin));
    if (!allowed) throw new ApiError(403, "origin " + (origin == null ? "(none)" : origin) + " may not post leads here");
    ctx.header("Access-Control-Allow-Origin", origin);
    ctx.header("Vary", "Origin");
    ctx.header("Access-Control-Allow-Methods", "POST");
    ctx.header("Access-Control-Allow-Headers", "Content-Type, " + KEY_HEADER);
    ctx.header("Access-Control-Max-Age", "600");
    ctx.status(204);
  }

  /** {@code POST /v1/leads}. */
  void submit(Context ctx) {
    Map<String, String> fields = readFields(ctx);
    LeadSource source = source(ctx, fields.remove("_key"));
    String origin = ctx.header("Origin");
    if (origin != null) {
      if (!source.allowsOrigin(origin)) throw new ApiError(403, "origin " + origin + " may not post leads to source " + source.name());
      ctx.header("Access-Control-Allow-Origin", origin);
      ctx.header("Vary", "Origin");
    }
    boolean redirect = truthy(fields.remove("_redirect"));
    if (redirect && source.thankYouUrl() == null) {
      throw ApiError.badRequest("_redirect asks for the thank-you page, but source " + source.name() + " has no thank_you_url");
    }
    Optional<Duration> wait = intake().admit(source, ctx.ip());
    if (wait.isPresent()) {
      long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
      ctx.header("Retry-After", Long.toString(seconds));
      throw new ApiError(429, "too many leads from this address; retry in " + seconds + " s");
    }
    LeadReceipt receipt;
    java.util.concurrent.CompletableFuture<LeadReceipt> pending = null;
    try {
      pending = intake().submit(source, fields);
      receipt = pending.get(COMMIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      pending.cancel(false); // answered 503: not written if its batch has not formed yet
      ctx.header("Retry-After", "1");
      throw new ApiError(503, "the lead could not be stored; nothing was acknowledged, retry shortly");
    } catch (InvalidLeadException e) {
      throw ApiError.badRequest(e.getMessage());
    } catch (RejectedExecutionException e) {
      ctx.header("Retry-After", "1");
      throw new ApiError(503, "the intake is saturated; nothing was stored, retry shortly");
    } catch (ExecutionException e) {
      ctx.header("Retry-After", "1");
      throw new ApiError(503, "the lead could not be stored; nothing was acknowledged, retry shortly");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiError(503, "interrupted before the commit; retry");
    }
    if (redirect) {
      ctx.header("Location", source.thankYouUrl().toString());
      ctx.status(303);
      return;
    }
    // two fields of fixed types: written directly (a Jackson tree per answer cost more than the check)
    ctx.status(202).contentType("application/json")
        .result("{\"lead_id\":" + receipt.leadId() + ",\"duplicate\":" + receipt.duplicate() + "}");
  }

  /** {@code GET /v1/leads?state=&source=&limit=&before=}. */
  void list(Context ctx) {
    LeadState state = null;
    String s = ctx.queryParam("state");
    if (s != null && !s.isBlank()) {
      try {
        state = LeadState.fromWire(s.trim().toLowerCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw ApiError.badRequest(e.getMessage());
      }
    }
    String source = ctx.queryParam("source");
    if (source != null && source.isBlank()) source = null;
    int limit = (int) SyncRunRoutes.longParam("limit", ctx.queryParam("limit") == null ? "50" : ctx.queryParam("limit"), 1, 1000);
    String b = ctx.queryParam("before");
    Long before = b == null || b.isBlank() ? null : SyncRunRoutes.longParam("before", b, 1, Long.MAX_VALUE);
    List<Lead> leads = intake().leads(state, source, before, limit);
    ObjectNode body = json.createObjectNode();
    ArrayNode items = body.putArray("leads");
    leads.forEach(l -> items.add(LeadJson.lead(json, l)));
    if (leads.size() == limit) body.put("next_before", leads.get(leads.size() - 1).id());
    else body.putNull("next_before");
    ApiServer.send(ctx, json, 200, body);
  }

  /** {@code GET /v1/leads/{id}}. */
  void show(Context ctx) {
    long id = SyncRunRoutes.longParam("id", ctx.pathParam("id"), 1, Long.MAX_VALUE);
    Lead lead = intake().lead(id).orElseThrow(() -> ApiError.notFound("no lead " + id));
    ApiServer.send(ctx, json, 200, LeadJson.lead(json, lead));
  }

  /** {@code GET /v1/leads/stats}: counts per state, in total and per source. */
  void stats(Context ctx) {
    ApiServer.send(ctx, json, 200, LeadJson.counts(json, intake().counts()));
  }

  private LeadSource source(Context ctx, String bodyKey) {
    String key = ctx.header(KEY_HEADER);
    if (key == null) {
      String auth = ctx.header("Authorization");
      if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) key = auth.substring(7).trim();
    }
    if (key == null) key = bodyKey;
    if (key == null || key.isBlank()) {
      throw new ApiError(401, "missing intake key: send the source's key in " + KEY_HEADER + " (or a _key form field)");
    }
    String k = key;
    return intake().sourceForKey(k).orElseThrow(() -> new ApiError(401, "the intake key is not valid"));
  }

  private Map<String, String> readFields(Context ctx) {
    if (ctx.req().getContentLengthLong() > MAX_BODY_BYTES) throw tooLarge();
    byte[] raw;
    try (InputStream in = ctx.req().getInputStream()) {
      raw = in.readNBytes(MAX_BODY_BYTES + 1);
    } catch (IOException e) {
      throw ApiError.badRequest("could not read the request body: " + e.getMessage());
    }
    if (raw.length > MAX_BODY_BYTES) throw tooLarge();
    if (raw.length == 0) throw ApiError.badRequest("the request body is empty; send the lead as JSON or as a form");
    String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
    if (type.startsWith("application/json")) return jsonFields(raw);
    if (type.startsWith("application/x-www-form-urlencoded")) return formFields(new String(raw, StandardCharsets.UTF_8));
    throw new ApiError(415, "send the lead as application/json or application/x-www-form-urlencoded (got "
        + (type.isEmpty() ? "no Content-Type" : type) + ")");
  }

  private Map<String, String> jsonFields(byte[] raw) {
    JsonNode node;
    try {
      node = strictJson.readTree(raw);
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
      throw ApiError.badRequest("the body is not valid JSON" + where + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw ApiError.badRequest("could not read the request body: " + e.getMessage());
    }
    if (node == null || !node.isObject()) throw ApiError.badRequest("expected a JSON object of lead fields");
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      JsonNode v = e.getValue();
      if (v.isContainerNode()) throw ApiError.badRequest("field '" + e.getKey() + "' must be a text, number or boolean, not an " + (v.isArray() ? "array" : "object"));
      out.put(e.getKey(), v.isNull() ? "" : v.asText());
    }
    return out;
  }

  private static Map<String, String> formFields(String body) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : body.split("&")) {
      if (pair.isEmpty()) continue;
      int eq = pair.indexOf('=');
      String name;
      String value;
      try {
        name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw ApiError.badRequest("the form body is not valid URL encoding");
      }
      if (out.containsKey(name)) throw ApiError.badRequest("field '" + name + "' is sent twice");
      out.put(name, value);
    }
    return out;
  }

  private static boolean truthy(String v) {
    return v != null && (v.equals("1") || v.equalsIgnoreCase("true") || v.equalsIgnoreCase("yes") || v.equalsIgnoreCase("on"));
  }

  private static ApiError tooLarge() {
    return new ApiError(413, "the lead is larger than " + MAX_BODY_BYTES + " bytes");
  }
}
