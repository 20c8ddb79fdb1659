package dev.sluice.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.queue.Job;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.schema.SqlResource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * RuleReports answers "why" from the decision log, for the CLI: every rule's evaluation of an event
 * (values read, deciding sub-condition, jobs and their states), the decision behind a job, and
 * per-rule counts of what fired or would have fired (shadow) over a period. Needs no rules loaded.
 * Thread-safe.
 */
public final class RuleReports {
  private static final Pattern REFERENCE = Pattern.compile("\\b(event|record|previous)\\.([A-Za-z_][A-Za-z0-9_]*)");
  private static final int SHOWN_CHARS = 300;

  /** One rule's counts over a period ({@code ./sluice rules shadow-report}). */
  public record RuleCounts(String rule, long evaluated, long matched, long fired, long shadowed, long shadowedJobs,
      long deduped, long alreadyMatching, long noMatch, long errors, Instant firstAt, Instant lastAt) {}

  private final JobQueue queue;
  private final DecisionLog log;
  private final SqlResource shadowReport;

  public RuleReports(JobQueue queue) {
    this.queue = queue;
    this.log = new DecisionLog(queue.dataSource(), queue.schema());
    this.shadowReport = SqlResource.load(RuleReports.class, "shadow_report.sql", queue.schema());
  }

  /** Per rule with decisions since {@code since}: evaluations, what fired, what would have (shadowed), and why not. */
  public List<RuleCounts> shadowReport(Instant since) {
    try (Connection c = queue.dataSource().getConnection(); PreparedStatement ps = shadowReport.prepare(c)) {
      shadowReport.set(ps, "since", OffsetDateTime.ofInstant(since, ZoneOffset.UTC));
      List<RuleCounts> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new RuleCounts(rs.getString("rule"), rs.getLong("evaluated"), rs.getLong("matched"), rs.getLong("fired"),
              rs.getLong("shadowed"), rs.getLong("shadowed_jobs"), rs.getLong("deduped"), rs.getLong("already_matching"),
              rs.getLong("no_match"), rs.getLong("errors"), rs.getTimestamp("first_at").toInstant(), rs.getTimestamp("last_at").toInstant()));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException("reading the decision counts failed: " + e.getMessage(), e);
    }
  }

  /** Every rule's evaluation of event {@code eventId}, as text; empty when there is no such event. */
  public Optional<List<String>> explainEvent(long eventId) {
    List<Decision> logged = log.decisions(eventId);
    return (logged.isEmpty() ? log.forEvent(eventId) : Optional.of(logged)).map(decisions -> {
      List<String> out = new ArrayList<>();
      if (decisions.isEmpty()) {
        out.add("event " + eventId + ": no rule listened to it (or its job has not run yet: ./sluice events show " + eventId + ")");
        return out;
      }
      JsonNode e = decisions.get(0).inputs().path("event");
      out.add("event " + eventId + " " + e.path("type").asText() + " " + e.path("object_type").asText() + " " + e.path("object_id").asText()
          + (e.hasNonNull("property") ? " " + e.path("property").asText() + "=" + e.path("value").asText() : "")
          + " (" + e.path("connection").asText() + ", received " + e.path("received_at").asText() + "): "
          + decisions.size() + " evaluation" + (decisions.size() == 1 ? "" : "s"));
      decisions.forEach(d -> describe(d, out));
      return out;
    });
  }

  /** The job {@code jobId}, its state, and the decision that enqueued it; empty when there is no such job. */
  public Optional<List<String>> explainJob(long jobId) {
    return queue.find(jobId).map(j -> {
      List<String> out = new ArrayList<>();
      out.add("job " + j.id() + " " + j.kind() + ": " + state(j));
      if (j.lastError() != null) out.add("  last error: " + oneLine(j.lastError()));
      if (j.progress() != null) out.add("  progress: " + shorten(j.progress()));
      JsonNode payload = RuleState.parse(j.payload());
      JsonNode request = payload.path("request");
      if (!request.isMissingNode()) out.add("  request: " + request.path("method").asText() + " " + request.path("url").asText());
      if (!payload.has("decision_id")) {
        out.add(payload.has("rule") ? "  enqueued by rule " + payload.path("rule").asText() + " (a decision from before decisions were linked to jobs)"
            : "  not a rule's action job");
        return out;
      }
      long decision = payload.path("decision_id").asLong();
      Optional<Decision> d = log.find(decision);
      if (d.isEmpty()) {
        out.add("  enqueued by decision " + decision + " (no longer kept)");
        return out;
      }
      out.add("  enqueued by:");
      describe(d.get(), out);
      return out;
    });
  }

  private void describe(Decision d, List<String> out) {
    out.add("");
    out.add("rule " + d.rule() + " (" + d.ruleFile() + ") at " + d.evaluatedAt() + ": " + d.outcome().toUpperCase(java.util.Locale.ROOT)
        + (d.subject() == null ? "" : "  [" + d.subject() + "]"));
    if (d.decidedBy() != null) out.add("  decided by: " + d.decidedBy());
    if (d.error() != null) out.add("  error: " + d.error());
    Set<String> shown = new LinkedHashSet<>();
    if (d.decidedBy() != null) {
      Matcher m = REFERENCE.matcher(d.decidedBy());
      while (m.find()) shown.add(m.group(1) + "." + m.group(2));
    }
    List<String> read = new ArrayList<>();
    for (String ref : shown) {
      String[] p = ref.split("\\.", 2);
      JsonNode v = d.inputs().path(p[0]).path(p[1]);
      read.add(ref + " = " + (v.isMissingNode() ? "(absent)" : v.toString()));
    }
    if (!read.isEmpty()) out.add("  values: " + String.join(", ", read));
    out.add("  record: " + shorten(d.inputs().path("record").toString()));
    out.add("  previous: " + shorten(changedOnly(d.inputs().path("previous"), d.inputs().path("record"))));
    if (d.dedupeKey() != null) out.add("  dedupe key: " + d.dedupeKey());
    if (d.jobs().isEmpty()) {
      if (d.matched()) out.add("  jobs: none (" + d.outcome() + ")");
      return;
    }
    for (JsonNode j : d.jobs()) {
      long id = j.path("job_id").asLong();
      StringBuilder line = new StringBuilder("  job " + id + " " + j.path("kind").asText());
      line.append(j.path("created").asBoolean() ? " enqueued" : j.has("held_by_decision")
          ? " (held by decision " + j.path("held_by_decision").asText() + " since " + j.path("seen_at").asText() + ")"
          : " (waiting debounced job, moved)");
      if (j.has("run_at")) line.append(", run at ").append(j.path("run_at").asText());
      if (j.has("throttled_until")) line.append(", throttled until ").append(j.path("throttled_until").asText());
      if (j.has("debounced")) line.append(", debounced on '").append(j.path("debounced").path("key").asText()).append("' until ")
          .append(j.path("debounced").path("runs_at").asText());
      if (j.has("priority")) line.append(", priority ").append(j.path("priority").asInt());
      if (j.has("concurrency_key")) line.append(", one at a time per ").append(j.path("concurrency_key").asText());
      if (j.path("paused").asBoolean()) line.append(", kind paused");
      line.append(": ").append(queue.find(id).map(RuleReports::state).orElse("no longer kept"));
      out.add(line.toString());
    }
  }

  private static String state(Job j) {
    return j.state().dbValue() + " (attempt " + j.attempt() + "/" + j.maxAttempts() + (j.runAt() == null ? "" : ", run at " + j.runAt())
        + (j.finishedAt() == null ? "" : ", finished " + j.finishedAt()) + ")";
  }

  /** The properties of {@code previous} that differ from {@code record} (the full row is in record). */
  private static String changedOnly(JsonNode previous, JsonNode record) {
    if (!previous.isObject()) return previous.toString();
    com.fasterxml.jackson.databind.node.ObjectNode out = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = previous.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      if (!f.getValue().equals(record.get(f.getKey()))) out.set(f.getKey(), f.getValue());
    }
    for (Iterator<String> it = record.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!previous.has(k)) out.putNull(k);
    }
    return out.isEmpty() ? "(same as record)" : out + " (only what differs from record)";
  }

  private static String oneLine(String s) {
    return shorten(s.replace('\n', ' '));
  }

  private static String shorten(String s) {
    return s.length() <= SHOWN_CHARS ? s : s.substring(0, SHOWN_CHARS) + "… (" + s.length() + " chars)";
  }
}
