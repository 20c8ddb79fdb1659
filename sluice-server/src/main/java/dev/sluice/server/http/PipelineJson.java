package dev.sluice.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.pipelines.Pipeline;
import dev.sluice.pipelines.PipelineEvent;
import dev.sluice.pipelines.PipelineRun;
import dev.sluice.pipelines.RecordResult;
import dev.sluice.pipelines.Unsubscribes;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The wire form of pipelines, their runs, per-record results and events (snake_case, instants as
 * ISO-8601 UTC). Shared by {@code /v1/pipelines}, {@code /v1/pipeline-runs} and the CLI's {@code --json}.
 */
public final class PipelineJson {
  private final ObjectMapper json;

  public PipelineJson(ObjectMapper json) {
    this.json = json;
  }

  /** A configured pipeline. */
  public ObjectNode pipeline(Pipeline p) {
    ObjectNode n = json.createObjectNode();
    n.put("name", p.name());
    n.put("from", p.sourceConnection() + "/" + p.sourceObject());
    n.put("to", p.destinationConnection() + "/" + p.destinationObject());
    n.put("mapping", p.mapping().origin());
    n.put("match", p.matchField());
    if (p.batchSize() > 0) n.put("batch_size", p.batchSize()); else n.putNull("batch_size");
    n.put("cron", p.cron());
    n.put("deletes", p.propagateDeletes() ? "propagate" : "ignore");
    unsubscribes(n, p.unsubscribes());
    var fields = n.putArray("fields");
    p.mapping().destinationFields().forEach(fields::add);
    return n;
  }

  /** As in sluice.yaml: {@code ignore}, {@code delete} or {@code {"set": {field: value, ...}}}. */
  private static void unsubscribes(ObjectNode n, Unsubscribes u) {
    if (u.delete()) {
      n.put("unsubscribes", "delete");
    } else if (u.set().isEmpty()) {
      n.put("unsubscribes", "ignore");
    } else {
      ObjectNode set = n.putObject("unsubscribes").putObject("set");
      u.set().forEach(set::put);
    }
  }

  /**
   * A run with its counts: {@code sent} records written, {@code failed}, {@code skipped}, and the
   * per-reason counts of the results ({@code echo_suppressed}, {@code conflicts}, {@code duplicates}, …).
   */
  public ObjectNode run(PipelineRun r, Map<String, Map<String, Long>> breakdown) {
    ObjectNode n = runSummary(r);
    ObjectNode counts = (ObjectNode) n.get("counts");
    Map<String, Long> skipped = breakdown.getOrDefault("skipped", Map.of());
    Map<String, Long> failed = breakdown.getOrDefault("failed", Map.of());
    counts.put("deleted", breakdown.getOrDefault("synced", Map.of()).getOrDefault("deleted", 0L));
    counts.put("echo_suppressed", skipped.getOrDefault("echo", 0L));
    counts.put("conflicts", skipped.getOrDefault("conflict", 0L));
    counts.put("unchanged", skipped.getOrDefault("unchanged", 0L));
    counts.put("archived", skipped.getOrDefault("archived", 0L));
    counts.put("unsubscribed", skipped.getOrDefault("unsubscribed", 0L));
    counts.put("duplicates", failed.getOrDefault("duplicate", 0L));
    counts.put("mapping_errors", failed.getOrDefault("mapping", 0L));
    counts.put("destination_errors", failed.getOrDefault("destination", 0L));
    n.put("generation", r.generation());
    n.put("position", r.position());
    n.put("results_url", "/v1/pipeline-runs/" + r.id() + "/results");
    n.put("events_url", "/v1/pipeline-runs/" + r.id() + "/events");
    return n;
  }

  /** The short form used in lists: status and the four main counts. */
  public ObjectNode runSummary(PipelineRun r) {
    ObjectNode n = json.createObjectNode();
    n.put("run_id", r.id());
    n.put("pipeline", r.pipeline());
    n.put("status", r.status().wire());
    n.put("trigger", r.trigger());
    ObjectNode counts = n.putObject("counts");
    counts.put("selected", r.selected());
    counts.put("sent", r.synced());
    counts.put("failed", r.failed());
    counts.put("skipped", r.skipped());
    n.put("write_calls", r.writeCalls());
    n.put("batches", r.batchesCommitted());
    instant(n, "created_at", r.createdAt());
    instant(n, "started_at", r.startedAt());
    instant(n, "finished_at", r.finishedAt());
    if (r.startedAt() != null && r.finishedAt() != null) {
      n.put("duration_ms", Duration.between(r.startedAt(), r.finishedAt()).toMillis());
    } else {
      n.putNull("duration_ms");
    }
    n.put("last_error", r.lastError());
    return n;
  }

  /** One record's result. */
  public ObjectNode result(RecordResult r) {
    ObjectNode n = json.createObjectNode();
    n.put("source_id", r.sourceId());
    n.put("batch", r.batch() + 1);
    n.put("status", r.status());
    n.put("reason", r.reason());
    n.put("destination_id", r.destinationId());
    n.put("error", r.error());
    instant(n, "at", r.at());
    return n;
  }

  /** One event of a run's log. */
  public ObjectNode event(PipelineEvent e) {
    ObjectNode n = json.createObjectNode();
    n.put("seq", e.seq());
    n.put("type", e.type());
    instant(n, "at", e.at());
    try {
      n.set("payload", json.readTree(e.payload()));
    } catch (IOException ex) {
      n.putObject("payload");
    }
    return n;
  }

  private static void instant(ObjectNode n, String field, Instant at) {
    RunJson.instant(n, field, at);
  }
}
