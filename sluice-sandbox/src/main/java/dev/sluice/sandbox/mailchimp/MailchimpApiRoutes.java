package dev.sluice.sandbox.mailchimp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.sluice.sandbox.mailchimp.MailchimpSandbox.API_PREFIX;
import static dev.sluice.sandbox.mailchimp.MailchimpSandbox.MAX_BATCH_MEMBERS;
import static dev.sluice.sandbox.mailchimp.MailchimpStore.subscriberHash;

/**
 * The Marketing API's routes under {@value MailchimpSandbox#API_PREFIX}: lists, members (read,
 * upsert, add, archive, batch subscribe), merge fields, tags and list webhooks, each behind Basic
 * auth, problem+json errors and partial responses ({@code fields}, {@code exclude_fields}).
 */
final class MailchimpApiRoutes {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final MailchimpSandbox sandbox;
  private final MailchimpOptions options;
  private final MailchimpStore store;
  private final MailchimpWebhooks webhooks;
  private final MailchimpTags tags;

  MailchimpApiRoutes(MailchimpSandbox sandbox, MailchimpOptions options, MailchimpStore store,
                     MailchimpWebhooks webhooks, MailchimpTags tags) {
    this.sandbox = sandbox;
    this.options = options;
    this.store = store;
    this.webhooks = webhooks;
    this.tags = tags;
  }

  void register(JavalinDefaultRoutingApi app) {
    app.get(API_PREFIX + "/ping", api(ctx -> MailchimpWire.json(ctx, 200, JSON.createObjectNode().put("health_status", "Everything's Chimpy!"))));
    app.get(API_PREFIX + "/lists", api(this::getLists));
    app.get(API_PREFIX + "/lists/{list}", api(ctx -> MailchimpWire.json(ctx, 200, MailchimpWire.listJson(store.list(ctx.pathParam("list"))))));
    app.post(API_PREFIX + "/lists/{list}", api(this::batchSubscribe));
    app.get(API_PREFIX + "/lists/{list}/merge-fields", api(this::getMergeFields));
    app.get(API_PREFIX + "/lists/{list}/members", api(this::getMembers));
    app.get(API_PREFIX + "/lists/{list}/members/{hash}", api(this::getMember));
    app.put(API_PREFIX + "/lists/{list}/members/{hash}", api(ctx -> writeMember(ctx, true)));
    app.patch(API_PREFIX + "/lists/{list}/members/{hash}", api(ctx -> writeMember(ctx, false)));
    app.post(API_PREFIX + "/lists/{list}/members", api(this::addMember));
    app.post(API_PREFIX + "/lists/{list}/members/{hash}/tags", api(tags::post));
    app.get(API_PREFIX + "/lists/{list}/members/{hash}/tags", api(tags::get));
    app.delete(API_PREFIX + "/lists/{list}/members/{hash}", api(this::archiveMember));
    app.get(API_PREFIX + "/lists/{list}/webhooks", api(this::getWebhooks));
    app.post(API_PREFIX + "/lists/{list}/webhooks", api(this::createWebhook));
    app.delete(API_PREFIX + "/lists/{list}/webhooks/{id}", api(ctx -> {
      store.list(ctx.pathParam("list"));
      if (!webhooks.remove(ctx.pathParam("list"), ctx.pathParam("id"))) {
        throw MailchimpProblem.notFound();
      }
      ctx.status(204);
    }));
  }

  @FunctionalInterface
  private interface ApiHandler {
    void handle(Context ctx) throws Exception;
  }

  /**
   * Auth, problem+json and partial responses ({@code fields}, {@code exclude_fields}) around every
   * API route; the connection slot is held since {@link MailchimpSandbox#arrive}.
   */
  private Handler api(ApiHandler inner) {
    return ctx -> {
      try {
        options.inFlightHook().run();
        authenticate(ctx.header("Authorization"));
        inner.handle(ctx);
        String fields = ctx.queryParam("fields");
        String exclude = ctx.queryParam("exclude_fields");
        if ((fields != null || exclude != null) && ctx.statusCode() == 200 && ctx.result() != null) {
          JsonNode body = JSON.readTree(ctx.result());
          MailchimpFields.apply(body, fields, exclude);
          MailchimpWire.json(ctx, 200, body);
        }
      } catch (MailchimpProblem p) {
        MailchimpWire.problem(ctx, p);
        sandbox.keepNotFound(ctx);
      } catch (JsonProcessingException e) {
        MailchimpWire.problem(ctx, new MailchimpProblem(400, "JSON Parse Error",
            "We encountered an unspecified JSON parsing error: " + e.getOriginalMessage()));
      }
    };
  }

  private void authenticate(String header) {
    String key = null;
    if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
      try {
        String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        key = decoded.substring(decoded.indexOf(':') + 1);
      } catch (IllegalArgumentException e) {
        key = "";
      }
    } else if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      key = header.substring(7).trim();
    }
    if (key == null || key.isEmpty()) {
      throw new MailchimpProblem(401, "API Key Missing",
          "Your request did not include an API key.");
    }
    if (!key.equals(options.apiKey())) {
      throw new MailchimpProblem(401, "API Key Invalid",
          "Your API key may be invalid, or you've attempted to access the wrong datacenter.");
    }
  }

  private void getLists(Context ctx) throws Exception {
    ObjectNode out = JSON.createObjectNode();
    ArrayNode lists = out.putArray("lists");
    store.lists().forEach(l -> lists.add(MailchimpWire.listJson(l)));
    out.put("total_items", lists.size());
    MailchimpWire.json(ctx, 200, out);
  }

  private void getMembers(Context ctx) throws Exception {
    String listId = ctx.pathParam("list");
    int count = Math.min(1000, intParam(ctx, "count", 10));
    int offset = intParam(ctx, "offset", 0);
    String status = ctx.queryParam("status");
    Instant since = instantParam(ctx, "since_last_changed");
    Instant before = instantParam(ctx, "before_last_changed");
    List<MailchimpMember> all = store.members(listId).stream()
        .filter(m -> status == null || m.status().equals(status))
        .filter(m -> since == null || !m.lastChanged().isBefore(since))
        .filter(m -> before == null || m.lastChanged().isBefore(before))
        .toList();
    ObjectNode out = JSON.createObjectNode();
    ArrayNode members = out.putArray("members");
    for (int i = offset; i < Math.min(all.size(), offset + count); i++) {
      members.add(MailchimpWire.memberJson(all.get(i)));
    }
    out.put("list_id", listId);
    out.put("total_items", all.size());
    out.putArray("_links");
    MailchimpWire.json(ctx, 200, out);
  }

  private void getMember(Context ctx) throws Exception {
    String hash = ctx.pathParam("hash");
    MailchimpMember m = store.list(ctx.pathParam("list")).members.get(hash.contains("@") ? subscriberHash(hash) : hash);
    if (m == null) {
      throw MailchimpProblem.notFound();
    }
    MailchimpWire.json(ctx, 200, MailchimpWire.memberJson(m));
  }

  private void writeMember(Context ctx, boolean mayCreate) throws Exception {
    String listId = ctx.pathParam("list");
    store.list(listId);
    String hash = ctx.pathParam("hash");
    if (hash.contains("@")) {
      hash = subscriberHash(hash); // Mailchimp also accepts the address itself in the URL
    }
    JsonNode body = JSON.readTree(ctx.body());
    if (body == null || !body.isObject()) {
      throw new MailchimpProblem(400, "JSON Parse Error", "The request body must be a JSON object.");
    }
    MailchimpStore.MemberWrite w = MailchimpWire.memberWrite(body);
    MailchimpMember existing = store.list(listId).members.get(hash);
    if (!mayCreate && existing == null) {
      throw MailchimpProblem.notFound();
    }
    if (w.email() == null && existing != null) {
      w = new MailchimpStore.MemberWrite(existing.emailAddress(), w.status(), w.statusIfNew(), w.mergeFields(), w.emailType());
    }
    MailchimpStore.Change c = store.upsert(listId, hash, w, true);
    webhooks.memberChanged(c, "api");
    MailchimpWire.json(ctx, 200, MailchimpWire.memberJson(c.after()));
  }

  /** {@code POST /lists/{id}/members}: adds a member; an existing one is 400 "Member Exists". */
  private void addMember(Context ctx) throws Exception {
    String listId = ctx.pathParam("list");
    store.list(listId);
    JsonNode body = JSON.readTree(ctx.body());
    if (body == null || !body.isObject()) {
      throw new MailchimpProblem(400, "JSON Parse Error", "The request body must be a JSON object.");
    }
    MailchimpStore.MemberWrite w = MailchimpWire.memberWrite(body);
    if (w.status() == null) {
      throw MailchimpProblem.invalid("status", "This value should not be blank.");
    }
    MailchimpMember existing = w.email() == null ? null
        : store.list(listId).members.get(subscriberHash(w.email().trim()));
    // An archived contact is added back; any other existing one is "Member Exists".
    boolean readd = existing != null && existing.status().equals(MailchimpStore.ARCHIVED);
    MailchimpStore.Change c = store.upsert(listId, null, w, readd);
    webhooks.memberChanged(c, "api");
    MailchimpWire.json(ctx, 200, MailchimpWire.memberJson(c.after()));
  }

  /** {@code DELETE /lists/{id}/members/{hash}}: archives the member (204); it stays readable. */
  private void archiveMember(Context ctx) {
    String hash = ctx.pathParam("hash");
    store.archive(ctx.pathParam("list"), hash.contains("@") ? subscriberHash(hash) : hash);
    ctx.status(204);
  }

  private void batchSubscribe(Context ctx) throws Exception {
    String listId = ctx.pathParam("list");
    store.list(listId);
    JsonNode body = JSON.readTree(ctx.body());
    JsonNode members = body == null ? null : body.get("members");
    if (members == null || !members.isArray()) {
      throw MailchimpProblem.invalid("members", "Required property members was not present.");
    }
    if (members.size() > MAX_BATCH_MEMBERS) {
      throw MailchimpProblem.invalid("members",
          "Schema describes array, maximum " + MAX_BATCH_MEMBERS + " items, " + members.size() + " found.");
    }
    boolean updateExisting = body.path("update_existing").asBoolean(false);
    ObjectNode out = JSON.createObjectNode();
    ArrayNode created = out.putArray("new_members");
    ArrayNode updated = out.putArray("updated_members");
    ArrayNode errors = out.putArray("errors");
    for (JsonNode m : members) {
      MailchimpStore.MemberWrite w = m.isObject() ? MailchimpWire.memberWrite(m) : new MailchimpStore.MemberWrite(null, null, null, null, null);
      try {
        if (w.status() == null && w.statusIfNew() == null) {
          throw MailchimpProblem.invalid("status", "Status is required for each member.");
        }
        MailchimpStore.Change c = store.upsert(listId, null, w, updateExisting);
        webhooks.memberChanged(c, "api");
        (c.before() == null ? created : updated).add(MailchimpWire.memberJson(c.after()));
      } catch (MailchimpProblem p) {
        ObjectNode e = errors.addObject();
        e.put("email_address", w.email() == null ? "" : w.email());
        e.put("error", p.fieldErrors.isEmpty() ? p.getMessage() : p.fieldErrors.get(0).get("message"));
        e.put("error_code", p.title.equals("Member Exists") ? "ERROR_CONTACT_EXISTS" : "ERROR_GENERIC");
      }
    }
    out.put("total_created", created.size());
    out.put("total_updated", updated.size());
    out.put("error_count", errors.size());
    out.putArray("_links");
    MailchimpWire.json(ctx, 200, out);
  }

  /** {@code GET /lists/{id}/merge-fields}: the audience's default merge fields (every sandbox list has the same five). */
  private void getMergeFields(Context ctx) throws Exception {
    String listId = ctx.pathParam("list");
    store.list(listId);
    ObjectNode out = JSON.createObjectNode();
    ArrayNode fields = out.putArray("merge_fields");
    MailchimpWire.DEFAULT_MERGE_FIELDS.forEach(f -> fields.add(MailchimpWire.mergeFieldJson(listId, f)));
    out.put("list_id", listId);
    out.put("total_items", fields.size());
    out.putArray("_links");
    MailchimpWire.json(ctx, 200, out);
  }

  private void getWebhooks(Context ctx) throws Exception {
    String listId = ctx.pathParam("list");
    store.list(listId);
    ObjectNode out = JSON.createObjectNode();
    ArrayNode hooks = out.putArray("webhooks");
    webhooks.hooks(listId).forEach(h -> hooks.add(MailchimpWire.webhookJson(h)));
    out.put("list_id", listId);
    out.put("total_items", hooks.size());
    MailchimpWire.json(ctx, 200, out);
  }

  private void createWebhook(Context ctx) throws Exception {
    String listId = ctx.pathParam("list");
    store.list(listId);
    JsonNode body = JSON.readTree(ctx.body());
    if (body == null || !body.hasNonNull("url")) {
      throw MailchimpProblem.invalid("url", "This value should not be blank.");
    }
    // Mailchimp's defaults: every event; changes by the list owner and subscribers, not by the API.
    Set<String> events = flags(body.get("events"), MailchimpWebhooks.EVENTS, MailchimpWebhooks.EVENTS);
    Set<String> sources = flags(body.get("sources"), MailchimpWebhooks.SOURCES, Set.of("user", "admin"));
    MailchimpWebhooks.Webhook h = webhooks.register(listId, uri(body.get("url").asText()), events, sources);
    MailchimpWire.json(ctx, 200, MailchimpWire.webhookJson(h));
  }

  private static Set<String> flags(JsonNode node, Set<String> known, Set<String> defaults) {
    if (node == null || !node.isObject()) {
      return defaults;
    }
    Set<String> on = new HashSet<>(defaults);
    for (String k : known) {
      if (node.has(k)) {
        if (node.get(k).asBoolean(false)) {
          on.add(k);
        } else {
          on.remove(k);
        }
      }
    }
    return on;
  }

  static URI uri(String s) {
    try {
      return URI.create(s);
    } catch (IllegalArgumentException e) {
      throw MailchimpProblem.invalid("url", "This value should be a valid URL.");
    }
  }


  private static int intParam(Context ctx, String name, int dflt) {
    String v = ctx.queryParam(name);
    if (v == null) {
      return dflt;
    }
    if (!v.matches("\\d{1,9}")) {
      throw new MailchimpProblem(400, "Invalid Resource", name + " must be a non-negative integer.");
    }
    return Integer.parseInt(v);
  }

  private static Instant instantParam(Context ctx, String name) {
    String v = ctx.queryParam(name);
    if (v == null || v.isBlank()) {
      return null;
    }
    try {
      return java.time.OffsetDateTime.parse(v.replace(' ', '+')).toInstant();
    } catch (java.time.format.DateTimeParseException e) {
      throw new MailchimpProblem(400, "Invalid Resource", name + " must be an ISO 8601 time, e.g. 2026-01-01T00:00:00+00:00.");
    }
  }
}
