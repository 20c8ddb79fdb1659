package dev.sluice.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cel.runtime.CelEvaluationException;
import dev.sluice.inbound.StoredEvent;
import dev.sluice.queue.EnqueueResult;
import dev.sluice.queue.Job;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.NewJob;
import dev.sluice.queue.schema.SqlResource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Evaluates the rules listening to one event and writes, per rule, its decision and its jobs in one transaction. */
final class Evaluator {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final JobQueue queue;
  private final Clock clock;
  private final Actions actions;
  private final SqlResource insertDecision;
  private final SqlResource mirror;

  Evaluator(JobQueue queue, String schema, Clock clock, Actions actions) {
    this.queue = queue;
    this.clock = clock;
    this.actions = actions;
    this.insertDecision = SqlResource.load(Evaluator.class, "insert_decision.sql", schema);
    this.mirror = SqlResource.load(Evaluator.class, "mirror_properties.sql", schema);
  }

  /** Evaluates every rule of {@code rules} that listens to {@code e}; answers the decision ids. */
  List<Long> evaluate(RuleSet rules, StoredEvent e, Connection c) throws SQLException {
    List<Rule> listening = rules.rules().stream().filter(r -> r.listensTo(e.connection(), e.type())).toList();
    if (listening.isEmpty()) return List.of();
    Instant now = clock.instant();
    ObjectNode previous = mirrorProperties(c, e);
    ObjectNode record = previous.deepCopy();
    if (e.propertyName() != null) {
      if (e.propertyValue() == null) record.remove(e.propertyName());
      else record.put(e.propertyName(), e.propertyValue());
    }
    ObjectNode event = eventJson(e);
    ObjectNode inputs = JSON.createObjectNode();
    inputs.set("event", event);
    inputs.set("record", record);
    inputs.set("previous", previous);
    inputs.put("now", now.toString());
    Map<String, Object> vars = new HashMap<>();
    vars.put("event", Cel.value(event));
    vars.put("record", Cel.value(record));
    vars.put("previous", Cel.value(previous));
    vars.put("now", Cel.timestamp(now));
    Map<String, Object> scope = new HashMap<>(vars);
    scope.put("now", now.toString());
    List<Long> ids = new java.util.ArrayList<>();
    for (Rule r : listening) ids.add(decide(c, r, e, now, inputs, vars, scope));
    return ids;
  }

  private long decide(Connection c, Rule r, StoredEvent e, Instant now, ObjectNode inputs, Map<String, Object> vars,
      Map<String, Object> scope) throws SQLException {
    String decidedBy = null;
    try {
      for (Cel.Expr cond : r.conditions()) {
        if (!Boolean.TRUE.equals(cond.eval(vars))) {
          decidedBy = cond.source();
          break;
        }
      }
    } catch (CelEvaluationException ex) {
      return insert(c, r, e, now, false, "error", null, null, inputs, JSON.createArrayNode(), "when: " + ex.getMessage());
    }
    if (decidedBy != null) return insert(c, r, e, now, false, "no-match", decidedBy, null, inputs, JSON.createArrayNode(), null);
    String key;
    try {
      key = r.dedupe() == null ? e.connection() + ":" + e.providerEventId() : String.valueOf(r.dedupe().eval(vars));
    } catch (CelEvaluationException ex) {
      return insert(c, r, e, now, false, "error", null, null, inputs, JSON.createArrayNode(), "dedupe: " + ex.getMessage());
    }
    ArrayNode jobs = JSON.createArrayNode();
    java.sql.Savepoint before = c.setSavepoint(); // an action that cannot be built undoes the rule's earlier jobs
    boolean anyCreated = false;
    boolean shadowed = r.shadow();
    for (int i = 0; i < r.actions().size(); i++) {
      ActionSpec a = r.actions().get(i);
      String jobKey = r.name() + "#" + (i + 1) + ":" + key;
      ObjectNode payload;
      try {
        payload = actions.payload(a, a.render(scope), jobKey, r, e);
      } catch (IllegalArgumentException ex) {
        c.rollback(before);
        return insert(c, r, e, now, false, "error", null, key, inputs, JSON.createArrayNode(), "action " + (i + 1) + " " + a.kind() + ": " + ex.getMessage());
      }
      EnqueueResult res = queue.enqueue(c, NewJob.builder(a.kind()).payload(payload.toString()).dedupeKey(jobKey).build());
      ObjectNode j = jobs.addObject().put("kind", a.kind()).put("job_id", res.id()).put("created", res.created()).put("dedupe_key", jobKey);
      if (res.created()) {
        anyCreated = true;
      } else {
        queue.find(res.id()).map(Job::createdAt).ifPresent(t -> j.put("seen_at", t.toString()));
      }
      if (!shadowed && queue.isShadowed(a.kind())) shadowed = true;
    }
    c.releaseSavepoint(before);
    String outcome = !anyCreated ? "deduped" : shadowed ? "shadowed" : "enqueued";
    return insert(c, r, e, now, true, outcome, null, key, inputs, jobs, null);
  }

  private long insert(Connection c, Rule r, StoredEvent e, Instant now, boolean matched, String outcome, String decidedBy,
      String key, ObjectNode inputs, ArrayNode jobs, String error) throws SQLException {
    try (PreparedStatement ps = insertDecision.prepare(c)) {
      insertDecision.set(ps, "event_id", e.id());
      insertDecision.set(ps, "rule", r.name());
      insertDecision.set(ps, "rule_file", r.file());
      insertDecision.set(ps, "evaluated_at", OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
      insertDecision.set(ps, "matched", matched);
      insertDecision.set(ps, "outcome", outcome);
      insertDecision.set(ps, "decided_by", decidedBy);
      insertDecision.set(ps, "dedupe_key", key);
      insertDecision.set(ps, "inputs", inputs.toString());
      insertDecision.set(ps, "jobs", jobs.toString());
      insertDecision.set(ps, "error", error);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private ObjectNode mirrorProperties(Connection c, StoredEvent e) throws SQLException {
    if (e.objectType() == null || e.objectId() == null) return JSON.createObjectNode();
    try (PreparedStatement ps = mirror.prepare(c)) {
      mirror.set(ps, "connection", e.connection());
      mirror.set(ps, "object_type", e.objectType());
      mirror.set(ps, "external_id", e.objectId());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) return JSON.createObjectNode();
        JsonNode n = JSON.readTree(rs.getString(1));
        return n instanceof ObjectNode o ? o : JSON.createObjectNode();
      } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
        throw new SQLException("mirror properties are not JSON", ex);
      }
    }
  }

  static ObjectNode eventJson(StoredEvent e) {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", e.id());
    n.put("source", e.source());
    n.put("connection", e.connection());
    n.put("provider_event_id", e.providerEventId());
    n.put("type", e.type());
    n.put("object_type", e.objectType());
    n.put("object_id", e.objectId());
    n.put("property", e.propertyName());
    n.put("value", e.propertyValue());
    n.put("occurred_at", e.occurredAt() == null ? null : e.occurredAt().toString());
    n.put("received_at", e.receivedAt().toString());
    n.set("payload", e.payload());
    return n;
  }
}
