package dev.sluice.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.pipelines.Pipeline;
import dev.sluice.pipelines.PipelineEngine;
import dev.sluice.pipelines.PipelineEvent;
import dev.sluice.pipelines.PipelineRun;
import dev.sluice.pipelines.PipelineRunStatus;
import dev.sluice.pipelines.RecordResult;
import io.javalin.http.Context;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/** Handlers of {@code /v1/pipelines} and {@code /v1/pipeline-runs}: the same shape as sync runs. */
final class PipelineRunRoutes {
  private static final Set<String> RESULT_STATUSES = Set.of("synced", "failed", "skipped");

  private final PipelineEngine engine;
  private final PipelineJson wire;
  private final JsonBodyReader bodies;
  private final ObjectMapper json;

  /** @param engine null when this server runs no pipelines (every route then answers 404) */
  PipelineRunRoutes(PipelineEngine engine, PipelineJson wire, JsonBodyReader bodies, ObjectMapper json) {
    this.engine = engine;
    this.wire = wire;
    this.bodies = bodies;
    this.json = json;
  }

  /** {@code GET /v1/pipelines}: the configured pipelines, each with its newest run. */
  void pipelines(Context ctx) {
    ObjectNode body = json.createObjectNode();
    ArrayNode items = body.putArray("pipelines");
    if (engine != null) {
      for (Pipeline p : engine.pipelines()) {
        ObjectNode n = wire.pipeline(p);
        List<PipelineRun> last = engine.list(p.name(), null, 0, 1);
        if (last.isEmpty()) n.putNull("last_run"); else n.set("last_run", wire.runSummary(last.get(0)));
        items.add(n);
      }
    }
    ApiServer.send(ctx, json, 200, body);
  }

  /** {@code POST /v1/pipeline-runs {"pipeline": name}}: 202 with a new run, 200 with the active one (coalesced). */
  void trigger(Context ctx) {
    JsonNode body = bodies.readObject(ctx);
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!f.equals("pipeline")) throw ApiError.badRequest("unknown field '" + f + "' (expected pipeline)");
    }
    JsonNode p = body.get("pipeline");
    if (p == null || p.isNull()) throw ApiError.badRequest("pipeline is required, e.g. {\"pipeline\":\"contacts-to-salesforce\"}");
    if (!p.isTextual()) throw ApiError.badRequest("pipeline must be a string, got " + p.getNodeType().name().toLowerCase(Locale.ROOT));
    String name = p.asText();
    PipelineEngine e = engine();
    if (e.pipeline(name).isEmpty()) {
      TreeSet<String> names = new TreeSet<>();
      e.pipelines().forEach(x -> names.add(x.name()));
      throw ApiError.badRequest("unknown pipeline '" + name + "'"
          + (names.isEmpty() ? " (no pipelines are configured)" : " (configured: " + String.join(", ", names) + ")"));
    }
    List<PipelineRun> active = e.list(name, null, 0, 1).stream().filter(r -> r.status().active()).toList();
    PipelineRun run = e.trigger(name, "api");
    boolean coalesced = active.stream().anyMatch(r -> r.id() == run.id());
    ObjectNode out = json.createObjectNode();
    out.put("run_id", run.id());
    out.put("pipeline", run.pipeline());
    out.put("status", run.status().wire());
    out.put("coalesced", coalesced);
    out.put("url", "/v1/pipeline-runs/" + run.id());
    ctx.header("Location", "/v1/pipeline-runs/" + run.id());
    ApiServer.send(ctx, json, coalesced ? 200 : 202, out);
  }

  /** {@code GET /v1/pipeline-runs?pipeline=&status=&limit=&before=}. */
  void list(Context ctx) {
    String pipeline = ctx.queryParam("pipeline");
    PipelineRunStatus status = null;
    String s = ctx.queryParam("status");
    if (s != null && !s.isBlank()) {
      try {
        status = PipelineRunStatus.valueOf(s.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException ex) {
        throw ApiError.badRequest("status must be one of pending, processing, completed, partially_completed, failed, cancelled; got '" + s + "'");
      }
    }
    String l = ctx.queryParam("limit");
    int limit = l == null || l.isBlank() ? 50 : (int) SyncRunRoutes.longParam("limit", l, 1, PipelineEngine.PAGE_LIMIT);
    String b = ctx.queryParam("before");
    long before = b == null || b.isBlank() ? 0 : SyncRunRoutes.longParam("before", b, 1, Long.MAX_VALUE);
    List<PipelineRun> runs = engine().list(pipeline == null || pipeline.isBlank() ? null : pipeline, status, before, limit);
    ObjectNode body = json.createObjectNode();
    ArrayNode items = body.putArray("runs");
    runs.forEach(r -> items.add(wire.runSummary(r)));
    if (runs.size() == limit) body.put("next_before", runs.get(runs.size() - 1).id()); else body.putNull("next_before");
    ApiServer.send(ctx, json, 200, body);
  }

  /** {@code GET /v1/pipeline-runs/{id}}. */
  void show(Context ctx) {
    PipelineRun run = find(SyncRunRoutes.runId(ctx));
    ApiServer.send(ctx, json, 200, wire.run(run, engine().breakdown(run.id())));
  }

  /** {@code POST /v1/pipeline-runs/{id}/cancel}: 200 with the run; 409 when it already finished. */
  void cancel(Context ctx) {
    long id = SyncRunRoutes.runId(ctx);
    PipelineRun before = find(id);
    if (!engine().cancel(id)) {
      throw new ApiError(409, "pipeline run " + id + " is " + find(id).status().wire() + ": nothing to cancel");
    }
    PipelineRun after = find(before.id());
    ApiServer.send(ctx, json, 200, wire.run(after, engine().breakdown(id)));
  }

  /** {@code POST /v1/pipeline-runs/{id}/resume}: 202 with the run going on from its position; 409 unless failed or cancelled. */
  void resume(Context ctx) {
    long id = SyncRunRoutes.runId(ctx);
    PipelineRun before = find(id);
    if (engine().pipeline(before.pipeline()).isEmpty()) {
      throw new ApiError(409, "pipeline '" + before.pipeline() + "' of run " + id + " is no longer configured");
    }
    PipelineRun run = engine().resume(id).orElseThrow(() -> new ApiError(409, "pipeline run " + id + " is "
        + find(id).status().wire() + ": only a failed or cancelled run can be resumed"));
    ApiServer.send(ctx, json, 202, wire.run(run, engine().breakdown(id)));
  }

  /** {@code GET /v1/pipeline-runs/{id}/events?after=SEQ}. */
  void events(Context ctx) {
    long id = SyncRunRoutes.runId(ctx);
    find(id);
    String a = ctx.queryParam("after");
    long after = a == null || a.isBlank() ? 0 : SyncRunRoutes.longParam("after", a, 0, Long.MAX_VALUE);
    List<PipelineEvent> events = engine().events(id, after);
    ObjectNode body = json.createObjectNode();
    body.put("run_id", id);
    ArrayNode items = body.putArray("events");
    events.forEach(e -> items.add(wire.event(e)));
    body.put("next_after", events.isEmpty() ? after : events.get(events.size() - 1).seq());
    ApiServer.send(ctx, json, 200, body);
  }

  /** {@code GET /v1/pipeline-runs/{id}/results?status=&after=&limit=}: per-record results by source id. */
  void results(Context ctx) {
    long id = SyncRunRoutes.runId(ctx);
    find(id);
    String status = ctx.queryParam("status");
    if (status != null && status.isBlank()) status = null;
    if (status != null && !RESULT_STATUSES.contains(status)) {
      throw ApiError.badRequest("status must be one of failed, skipped, synced; got '" + status + "'");
    }
    String l = ctx.queryParam("limit");
    int limit = l == null || l.isBlank() ? 100 : (int) SyncRunRoutes.longParam("limit", l, 1, PipelineEngine.PAGE_LIMIT);
    String after = ctx.queryParam("after");
    List<RecordResult> results = engine().results(id, status, after, limit);
    ObjectNode body = json.createObjectNode();
    body.put("run_id", id);
    ArrayNode items = body.putArray("results");
    results.forEach(r -> items.add(wire.result(r)));
    if (results.size() == limit) body.put("next_after", results.get(results.size() - 1).sourceId()); else body.putNull("next_after");
    ApiServer.send(ctx, json, 200, body);
  }

  private PipelineRun find(long id) {
    return engine().find(id).orElseThrow(() -> ApiError.notFound("no pipeline run " + id));
  }

  private PipelineEngine engine() {
    if (engine == null) throw ApiError.notFound("this server runs no pipelines");
    return engine;
  }
}
