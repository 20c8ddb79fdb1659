package dev.sluice.sandbox.mailchimp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Member tags: {@code POST /lists/{id}/members/{hash}/tags} with {@code {"tags":[{"name","status":
 * "active|inactive"}]}} (204; a tag set active twice is there once, an inactive one is removed) and
 * {@code GET} of the same path ({@code {"tags":[{"id","name","date_added"}],"total_items"}}). An
 * unknown member is 404, a bad body 400 with Mailchimp's problem shape. Thread-safe.
 */
final class MailchimpTags {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_NAME = 100;

  private final MailchimpStore store;
  private final Clock clock;
  /** {@code list/hash} → tag name → when it was added, in the order added. */
  private final Map<String, Map<String, Instant>> tags = new ConcurrentHashMap<>();

  MailchimpTags(MailchimpStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  void post(Context ctx) throws Exception {
    String key = member(ctx);
    JsonNode body = JSON.readTree(ctx.body().isBlank() ? "{}" : ctx.body());
    JsonNode list = body == null ? null : body.get("tags");
    if (list == null || !list.isArray()) {
      throw MailchimpProblem.invalid("tags", "This value should be of type array.");
    }
    Map<String, Boolean> wanted = new LinkedHashMap<>();
    for (JsonNode t : list) {
      String name = t.path("name").asText("").trim();
      String status = t.path("status").asText("");
      if (name.isEmpty() || name.length() > MAX_NAME) {
        throw MailchimpProblem.invalid("tags.name", "A tag name must be 1 to " + MAX_NAME + " characters.");
      }
      if (!status.equals("active") && !status.equals("inactive")) {
        throw MailchimpProblem.invalid("tags.status", "Value must be one of: active, inactive");
      }
      wanted.put(name, status.equals("active"));
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    Map<String, Instant> held = tags.computeIfAbsent(key, k -> java.util.Collections.synchronizedMap(new LinkedHashMap<>()));
    wanted.forEach((name, active) -> {
      if (active) held.putIfAbsent(name, now);
      else held.remove(name);
    });
    ctx.status(204);
  }

  void get(Context ctx) throws Exception {
    Map<String, Instant> held = tags.getOrDefault(member(ctx), Map.of());
    ObjectNode out = JSON.createObjectNode();
    ArrayNode arr = out.putArray("tags");
    synchronized (held) {
      held.forEach((name, at) -> arr.addObject().put("id", Math.abs(name.hashCode()) % 1_000_000).put("name", name).put("date_added", at.toString()));
    }
    out.put("total_items", arr.size());
    MailchimpWire.json(ctx, 200, out);
  }

  /** The active tags of a member, in the order they were added. */
  List<String> active(String listId, String hash) {
    Map<String, Instant> held = tags.getOrDefault(listId + "/" + hash, Map.of());
    synchronized (held) {
      return List.copyOf(held.keySet());
    }
  }

  private String member(Context ctx) {
    String listId = ctx.pathParam("list");
    String hash = ctx.pathParam("hash");
    if (hash.contains("@")) {
      hash = MailchimpStore.subscriberHash(hash);
    }
    if (!store.list(listId).members.containsKey(hash)) {
      throw MailchimpProblem.notFound();
    }
    return listId + "/" + hash;
  }
}
