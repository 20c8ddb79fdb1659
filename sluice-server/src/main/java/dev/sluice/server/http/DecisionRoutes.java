package dev.sluice.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.rules.Decision;
import dev.sluice.rules.DecisionLog;
import io.javalin.http.Context;
import java.util.List;

/** {@code GET /v1/events/{id}/decisions}: what every rule decided on one stored event, and why. */
final class DecisionRoutes {
  private final DecisionLog log;
  private final ObjectMapper json;

  DecisionRoutes(DecisionLog log, ObjectMapper json) {
    this.log = log;
    this.json = json;
  }

  void forEvent(Context ctx) {
    long id = SyncRunRoutes.longParam("id", ctx.pathParam("id"), 1, Long.MAX_VALUE);
    List<Decision> decisions = log.forEvent(id).orElseThrow(() -> ApiError.notFound("no event " + id));
    ObjectNode body = json.createObjectNode();
    body.put("event_id", id);
    ArrayNode out = body.putArray("decisions");
    for (Decision d : decisions) {
      ObjectNode n = out.addObject();
      n.put("decision_id", d.id());
      n.put("trigger", d.trigger());
      n.put("subject", d.subject());
      n.put("rule", d.rule());
      n.put("rule_file", d.ruleFile());
      n.put("evaluated_at", d.evaluatedAt().toString());
      n.put("matched", d.matched());
      n.put("outcome", d.outcome());
      n.put("decided_by", d.decidedBy());
      n.put("dedupe_key", d.dedupeKey());
      n.set("inputs", d.inputs());
      n.set("jobs", d.jobs());
      n.put("error", d.error());
    }
    ApiServer.send(ctx, json, 200, body);
  }
}
