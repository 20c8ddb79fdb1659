package dev.sluice.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.queue.Job;
import dev.sluice.queue.JobFilter;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.JobState;
import dev.sluice.queue.QueueStats;
import dev.sluice.queue.ratelimit.RateLimit;
import dev.sluice.queue.ratelimit.RateLimitSnapshot;
import dev.sluice.queue.ratelimit.RateLimits;
import io.javalin.http.Context;
import java.util.Map;

/** Handlers of {@code /v1/jobs} (queue statistics, dead jobs), {@code /v1/kinds} (pause, shadow) and {@code /v1/rate-limits}. */
final class QueueRoutes {
  private final JobQueue queue;
  private final RateLimits rateLimits;
  private final ObjectMapper json;
  private final java.util.List<String> knownKinds;

  QueueRoutes(JobQueue queue, ObjectMapper json, java.util.Collection<String> knownKinds) {
    this.queue = queue;
    this.knownKinds = java.util.List.copyOf(knownKinds);
    this.rateLimits = new RateLimits(queue.dataSource(), queue.schema(), queue.clock());
    this.json = json;
  }

  /** {@code GET /v1/jobs/stats}. */
  void stats(Context ctx) {
    QueueStats stats = queue.stats();
    ObjectNode body = json.createObjectNode();
    ObjectNode kinds = body.putObject("kinds");
    for (Map.Entry<String, Map<JobState, Long>> k : stats.countsByKind().entrySet()) {
      ObjectNode states = kinds.putObject(k.getKey());
      k.getValue().forEach((state, n) -> states.put(state.dbValue(), n));
    }
    ObjectNode totals = body.putObject("totals");
    stats.totals().forEach((state, n) -> totals.put(state.dbValue(), n));
    if (stats.oldestReadyAge() == null) body.putNull("oldest_ready_age_ms"); else body.put("oldest_ready_age_ms", stats.oldestReadyAge().toMillis());
    ApiServer.send(ctx, json, 200, body);
  }

  /** {@code GET /v1/jobs/dead?kind=&error_contains=&limit=}: dead jobs, newest first, with their last error. */
  void dead(Context ctx) {
    JobFilter filter = filter(ctx);
    String limitParam = ctx.queryParam("limit");
    int limit = limitParam == null || limitParam.isBlank() ? 50 : (int) SyncRunRoutes.longParam("limit", limitParam, 1, 1000);
    ObjectNode body = json.createObjectNode();
    ArrayNode jobs = body.putArray("jobs");
    for (Job j : queue.list(JobState.DEAD, filter, limit)) {
      ObjectNode n = jobs.addObject();
      n.put("job_id", j.id());
      n.put("kind", j.kind());
      n.put("attempt", j.attempt());
      n.put("max_attempts", j.maxAttempts());
      n.put("last_error", j.lastError());
      n.put("created_at", j.createdAt() == null ? null : j.createdAt().toString());
      n.put("finished_at", j.finishedAt() == null ? null : j.finishedAt().toString());
    }
    ApiServer.send(ctx, json, 200, body);
  }

  /** {@code POST /v1/jobs/dead/retry?kind=&error_contains=}: moves matching dead jobs back to ready. */
  void retryDead(Context ctx) {
    int n = queue.retryDead(filter(ctx));
    ApiServer.send(ctx, json, 200, json.createObjectNode().put("retried", n));
  }

  /** {@code POST /v1/jobs/dead/cancel?kind=&error_contains=}: cancels matching dead jobs. */
  void cancelDead(Context ctx) {
    int n = queue.cancelDead(filter(ctx));
    ApiServer.send(ctx, json, 200, json.createObjectNode().put("cancelled", n));
  }

  private static JobFilter filter(Context ctx) {
    JobFilter filter = JobFilter.any();
    String kind = ctx.queryParam("kind");
    if (kind != null && !kind.isBlank()) filter = filter.withKind(kind);
    String error = ctx.queryParam("error_contains");
    if (error != null && !error.isBlank()) filter = filter.errorContains(error);
    return filter;
  }

  /** {@code GET /v1/kinds}: the kinds with jobs and the rules' action kinds, with their switches. */
  void kinds(Context ctx) {
    java.util.TreeSet<String> names = new java.util.TreeSet<>(queue.stats().countsByKind().keySet());
    names.addAll(knownKinds);
    ObjectNode body = json.createObjectNode();
    ArrayNode out = body.putArray("kinds");
    for (String k : names) out.add(kind(k));
    ApiServer.send(ctx, json, 200, body);
  }

  /** {@code POST /v1/kinds/{kind}/{switch}}: pause, resume, shadow or unshadow. */
  void switchKind(Context ctx) {
    String kind = ctx.pathParam("kind");
    if (kind.isBlank() || kind.length() > 200) throw ApiError.badRequest("kind must be 1-200 characters");
    switch (ctx.pathParam("switch")) {
      case "pause" -> queue.pause(kind);
      case "resume" -> queue.resume(kind);
      case "shadow" -> queue.shadow(kind, true);
      case "unshadow" -> queue.shadow(kind, false);
      default -> throw ApiError.badRequest("switch must be pause, resume, shadow or unshadow; got '" + ctx.pathParam("switch") + "'");
    }
    ApiServer.send(ctx, json, 200, kind(kind));
  }

  private ObjectNode kind(String k) {
    return json.createObjectNode().put("kind", k).put("paused", queue.isPaused(k)).put("shadow", queue.isShadowed(k));
  }

  /** {@code POST /v1/jobs/{id}/retry}: one dead or cancelled job back to ready. */
  void retry(Context ctx) {
    long id = SyncRunRoutes.longParam("job id", ctx.pathParam("id"), 1, Long.MAX_VALUE);
    Job job = queue.find(id).orElseThrow(() -> ApiError.notFound("no job " + id));
    if (!queue.retry(id)) {
      throw new ApiError(409, "job " + id + " is " + job.state().dbValue() + "; only dead, cancelled or retryable jobs can be retried");
    }
    Job after = queue.find(id).orElseThrow();
    ApiServer.send(ctx, json, 200, json.createObjectNode().put("job_id", id).put("state", after.state().dbValue()));
  }

  /**
   * {@code GET /v1/rate-limits}: every rate-limit bucket with its configuration and what it could
   * grant now, read from PostgreSQL so any process shows the cluster's buckets.
   */
  void rateLimits(Context ctx) {
    ObjectNode body = json.createObjectNode();
    ArrayNode buckets = body.putArray("rate_limits");
    for (RateLimitSnapshot s : rateLimits.list()) {
      RateLimit limit = s.limit();
      ObjectNode n = buckets.addObject();
      n.put("name", s.name());
      n.put("kind", limit.rolling() ? "rolling" : "token_bucket");
      n.put("capacity", limit.capacity());
      // Fractions of a permit accrue continuously; two decimals are enough to draw a gauge.
      n.put("available", Math.round(s.available() * 100.0) / 100.0);
      n.put("refill_tokens", limit.refillTokens());
      n.put("refill_period_ms", limit.refillPeriod().toMillis());
      if (limit.rolling()) n.put("window_ms", limit.refillPeriod().toMillis()); else n.putNull("window_ms");
      n.put("granted_total", s.grantedTotal());
      n.put("updated_at", s.updatedAt() == null ? null : s.updatedAt().toString());
    }
    ApiServer.send(ctx, json, 200, body);
  }
}
