package dev.sluice.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.queue.JobContext;
import dev.sluice.queue.JobWorker;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The action job kinds of one engine and their handlers. A job's payload holds the exact request
 * it sends ({@code request}: method, url, headers, body), rendered when the rule fired, so what
 * runs later does not depend on the record having changed since and a shadowed job shows what it
 * would have sent. Secrets are not in it: tokens, webhook URLs and signatures are added at send time.
 */
final class Actions {
  /** The header that carries a job's dedupe key where the destination honours one. */
  static final String IDEMPOTENCY_HEADER = "Idempotency-Key";

  private final Map<String, ActionHandler> handlers = new LinkedHashMap<>();

  Actions(List<ActionHandler> handlers) {
    handlers.forEach(h -> this.handlers.put(h.kind(), h));
  }

  /** The job payload of one rendered action; {@code event} (may be null) names the record an action defaults to. */
  ObjectNode payload(ActionSpec a, JsonNode args, String dedupeKey, Rule r, Long eventId, JsonNode event) {
    ActionHandler h = handlers.get(a.kind());
    if (h == null) throw new IllegalArgumentException("no handler for action '" + a.kind() + "' in this process");
    ObjectNode p = ActionHttp.JSON.createObjectNode();
    p.put("rule", r.name());
    if (eventId != null) p.put("event_id", eventId);
    p.put("dedupe_key", dedupeKey);
    p.put("shadow", r.shadow());
    if (event != null && event.hasNonNull("object_id")) {
      p.put("object_type", event.path("object_type").asText(null));
      p.put("object_id", event.path("object_id").asText());
    }
    ObjectNode req = ActionHttp.JSON.createObjectNode();
    h.request(args, dedupeKey, p, req);
    p.set("request", req);
    return p;
  }

  /**
   * Registers one handler per kind: a shadowed job records its request; the others are sent.
   * {@code wrap} goes around each (the engine's debounce turn).
   */
  void register(JobWorker.Builder worker, java.util.function.UnaryOperator<dev.sluice.queue.JobHandler> wrap) {
    handlers.forEach((kind, h) -> worker.handle(kind, wrap.apply(ctx -> run(h, ctx))));
  }

  private static void run(ActionHandler h, JobContext ctx) throws Exception {
    JsonNode payload = ctx.payload();
    if (payload.path("shadow").asBoolean(false)) {
      ObjectNode p = ActionHttp.JSON.createObjectNode().put("shadow", true);
      p.set("would_send", payload.path("request"));
      ctx.progress(p);
      return;
    }
    h.send(ctx, payload);
  }

  /** Per kind, the connection names its actions may use. */
  Map<String, Set<String>> connections() {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    handlers.forEach((k, h) -> out.put(k, h.connections()));
    return out;
  }

  ActionHandler handler(String kind) {
    return handlers.get(kind);
  }

  List<String> kinds() {
    return List.copyOf(handlers.keySet());
  }
}
