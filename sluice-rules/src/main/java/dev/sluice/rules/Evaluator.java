package dev.sluice.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cel.runtime.CelEvaluationException;
import dev.sluice.inbound.StoredEvent;
import dev.sluice.queue.EnqueueResult;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.NewJob;
import dev.sluice.queue.schema.SqlResource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Evaluates the rules listening to one occurrence and writes, per rule, its decision, its state
 * (dedupe key, enrollment, throttle, debounce) and its jobs in the caller's transaction.
 */
final class Evaluator {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final JobQueue queue;
  private final Clock clock;
  private final Actions actions;
  private final RuleState state;
  private final SqlResource insertDecision;
  private final SqlResource mirror;
  private final SqlResource previous;
  private final SqlResource hasSnapshots;
  private final String schema;
  /** Whether the webhook store's mirror snapshots exist in this database (read once). */
  private volatile Boolean snapshots;

  Evaluator(JobQueue queue, String schema, Clock clock, Actions actions) {
    this.queue = queue;
    this.clock = clock;
    this.actions = actions;
    this.state = new RuleState(schema);
    this.insertDecision = SqlResource.load(Evaluator.class, "insert_decision.sql", schema);
    this.mirror = SqlResource.load(Evaluator.class, "mirror_properties.sql", schema);
    this.previous = SqlResource.load(Evaluator.class, "previous_properties.sql", schema);
    this.hasSnapshots = SqlResource.load(Evaluator.class, "has_snapshots.sql", schema);
    this.schema = schema;
  }

  RuleState state() {
    return state;
  }

  /** Evaluates every rule of {@code rules} that listens to {@code e}; answers the decision ids. */
  List<Long> evaluate(RuleSet rules, StoredEvent e, Connection c) throws SQLException {
    return evaluate(rules, e, c, clock.instant());
  }

  /** As {@link #evaluate(RuleSet, StoredEvent, Connection)}, evaluated as at {@code now} (a dry run over past events). */
  List<Long> evaluate(RuleSet rules, StoredEvent e, Connection c, Instant now) throws SQLException {
    List<Rule> listening = rules.rules().stream().filter(r -> r.listensTo(e.connection(), e.type())).toList();
    if (listening.isEmpty()) return List.of();
    return evaluate(listening, Occurrence.of(e, previous(c, e), now), c);
  }

  /** Evaluates {@code rules} on {@code o}; answers the decision ids. */
  List<Long> evaluate(List<Rule> rules, Occurrence o, Connection c) throws SQLException {
    Map<String, Object> vars = o.vars();
    Map<String, Object> scope = Occurrence.scope(vars, o.now());
    ObjectNode inputs = o.inputs();
    Map<String, Boolean[]> kinds = new HashMap<>(); // kind → {paused, shadowed}, read once per evaluation
    List<Long> ids = new ArrayList<>();
    for (Rule r : rules) ids.add(decide(c, r, o, inputs, vars, scope, kinds));
    return ids;
  }

  private long decide(Connection c, Rule r, Occurrence o, ObjectNode inputs, Map<String, Object> vars, Map<String, Object> scope,
      Map<String, Boolean[]> kinds) throws SQLException {
    Outcome d = new Outcome(state.nextDecisionId(c), r, o, inputs);
    String decidedBy = null;
    try {
      for (Cel.Expr cond : r.conditions()) {
        if (!Boolean.TRUE.equals(cond.eval(vars))) {
          decidedBy = cond.source();
          break;
        }
      }
    } catch (CelEvaluationException ex) {
      return insert(c, d.error("when: " + ex.getMessage()));
    }
    boolean enrolled = r.enroll() == Rule.Enroll.ONCE_PER_TRANSITION && o.subject() != null;
    // an action that cannot be built undoes the rule's enrollment, dedupe key, flow state and earlier jobs
    java.sql.Savepoint before = decidedBy == null ? c.setSavepoint() : null;
    boolean wasMatching = enrolled && state.enroll(c, r.name(), o.subject(), decidedBy == null, d.id, o.now());
    if (decidedBy != null) {
      d.outcome = "no-match";
      d.decidedBy = decidedBy;
      return insert(c, d);
    }
    d.matched = true;
    if (wasMatching) {
      c.releaseSavepoint(before);
      d.outcome = "already-matching";
      d.decidedBy = "enroll: once-per-transition (the record already matched; it fires again after it stops matching)";
      return insert(c, d);
    }
    try {
      d.key = r.dedupe() == null ? o.defaultKey() : String.valueOf(r.dedupe().eval(vars));
    } catch (CelEvaluationException ex) {
      c.rollback(before);
      return insert(c, d.error("dedupe: " + ex.getMessage()));
    }
    Optional<RuleState.Holder> holder = state.takeDedupe(c, r.name(), d.key, d.id, o.now(), r.window());
    if (holder.isPresent()) {
      c.releaseSavepoint(before);
      RuleState.Holder h = holder.get();
      d.outcome = "deduped";
      d.decidedBy = "dedupe key '" + d.key + "' taken by decision " + h.decisionId() + " at " + h.takenAt() + " (until " + h.expiresAt() + ")";
      for (JsonNode j : h.jobs()) {
        ObjectNode copy = ((ObjectNode) j.deepCopy()).put("created", false).put("seen_at", h.takenAt().toString());
        copy.put("held_by_decision", h.decisionId());
        d.jobs.add(copy);
      }
      return insert(c, d);
    }
    int at = -1;
    try {
      FlowControl flow = new FlowControl(state, c, r, o, vars, d.id);
      Instant ruleRunAt = flow.ruleRunAt(o.now().plus(r.delay()));
      boolean shadowed = r.shadow();
      boolean paused = false;
      boolean allDebounced = true;
      for (at = 0; at < r.actions().size(); at++) {
        ActionSpec a = r.actions().get(at);
        String jobKey = r.name() + "#" + (at + 1) + ":" + d.key;
        ObjectNode payload = actions.payload(a, a.render(scope), jobKey, r, o.eventId(), o.event());
        payload.put("decision_id", d.id);
        Boolean[] k = kinds.computeIfAbsent(a.kind(), kind -> new Boolean[] {queue.isPaused(kind), queue.isShadowed(kind)});
        ObjectNode j = d.jobs.addObject().put("kind", a.kind()).put("dedupe_key", jobKey);
        FlowControl.Placement p = flow.place(at, ruleRunAt, j);
        if (p.debounce() != null) payload.put("debounced", true);
        if (p.debounce() != null) {
          Optional<RuleState.Debounced> merged = state.mergeDebounce(c, p.debounceScope(), p.debounceKey(), o.now(),
              p.debounce().period(), p.debounce().maxWait(), payload.toString());
          if (merged.isPresent()) {
            j.put("job_id", merged.get().jobId()).put("created", false).put("run_at", merged.get().runAt().toString());
            j.putObject("debounced").put("merged", true).put("key", p.debounceKey()).put("runs_at", merged.get().runAt().toString());
            continue;
          }
        }
        allDebounced &= p.debounce() != null;
        NewJob.Builder job = NewJob.builder(a.kind()).payload(payload.toString()).runAt(p.runAt()).priority(p.priority());
        if (p.concurrencyKey() != null) job.concurrencyKey(p.concurrencyKey());
        EnqueueResult res = queue.enqueue(c, job.build());
        j.put("job_id", res.id()).put("created", true).put("run_at", (p.runAt() == null ? o.now() : p.runAt()).toString());
        if (p.debounce() != null) {
          state.insertDebounce(c, res.id(), p.debounceScope(), p.debounceKey(), o.now(), p.runAt(), payload.toString());
          j.putObject("debounced").put("merged", false).put("key", p.debounceKey()).put("runs_at", p.runAt().toString());
        }
        if (k[0]) {
          paused = true;
          j.put("paused", true);
        }
        if (k[1]) {
          shadowed = true;
          j.put("kind_shadowed", true);
        }
      }
      c.releaseSavepoint(before);
      d.outcome = allDebounced ? "debounced" : shadowed ? "shadowed" : paused ? "paused" : flow.throttled() ? "throttled" : "enqueued";
      state.setDedupeJobs(c, r.name(), d.key, d.id, d.jobs);
      return insert(c, d);
    } catch (FlowControl.FlowError ex) {
      c.rollback(before);
      return insert(c, d.error(ex.getMessage()));
    } catch (IllegalArgumentException ex) {
      c.rollback(before);
      return insert(c, d.error("action " + (at + 1) + " " + r.actions().get(at).kind() + ": " + ex.getMessage()));
    }
  }

  /** A decision being made. */
  private static final class Outcome {
    final long id;
    final Rule rule;
    final Occurrence occurrence;
    final ObjectNode inputs;
    final ArrayNode jobs = JSON.createArrayNode();
    boolean matched;
    String outcome;
    String decidedBy;
    String key;
    String error;

    Outcome(long id, Rule rule, Occurrence occurrence, ObjectNode inputs) {
      this.id = id;
      this.rule = rule;
      this.occurrence = occurrence;
      this.inputs = inputs;
    }

    Outcome error(String message) {
      matched = false;
      outcome = "error";
      error = message;
      jobs.removeAll();
      return this;
    }
  }

  private long insert(Connection c, Outcome d) throws SQLException {
    try (PreparedStatement ps = insertDecision.prepare(c)) {
      insertDecision.set(ps, "id", d.id);
      insertDecision.set(ps, "event_id", d.occurrence.eventId());
      insertDecision.set(ps, "trigger", d.occurrence.trigger());
      insertDecision.set(ps, "subject", d.occurrence.subject());
      insertDecision.set(ps, "rule", d.rule.name());
      insertDecision.set(ps, "rule_file", d.rule.file());
      insertDecision.set(ps, "evaluated_at", RuleState.ts(d.occurrence.now()));
      insertDecision.set(ps, "matched", d.matched);
      insertDecision.set(ps, "outcome", d.outcome);
      insertDecision.set(ps, "decided_by", d.decidedBy);
      insertDecision.set(ps, "dedupe_key", d.key);
      insertDecision.set(ps, "inputs", d.inputs.toString());
      insertDecision.set(ps, "jobs", d.jobs.toString());
      insertDecision.set(ps, "error", d.error);
      ps.executeUpdate();
    }
    return d.id;
  }

  /**
   * The event's record before the event: the mirror as a webhook refresh found it when it overwrote
   * the record for this event (or a later one), else the mirror row now (see docs/rules.md on {@code previous}).
   */
  private ObjectNode previous(Connection c, StoredEvent e) throws SQLException {
    if (e.objectType() == null || e.objectId() == null) return JSON.createObjectNode();
    if (snapshots == null) {
      try (PreparedStatement ps = hasSnapshots.prepare(c)) {
        hasSnapshots.set(ps, "table", "\"" + schema + "\".inbound_mirror_before");
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          snapshots = rs.getBoolean(1);
        }
      }
    }
    SqlResource sql = snapshots ? previous : mirror;
    try (PreparedStatement ps = sql.prepare(c)) {
      sql.set(ps, "connection", e.connection());
      sql.set(ps, "object_type", e.objectType());
      sql.set(ps, "external_id", e.objectId());
      if (snapshots) sql.set(ps, "event_id", e.id());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next() || rs.getString(1) == null) return JSON.createObjectNode();
        JsonNode n = JSON.readTree(rs.getString(1));
        return n instanceof ObjectNode o ? o : JSON.createObjectNode();
      } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
        throw new SQLException("mirror properties are not JSON", ex);
      }
    }
  }
}
