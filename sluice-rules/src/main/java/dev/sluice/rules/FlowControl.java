package dev.sluice.rules;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cel.runtime.CelEvaluationException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;

/**
 * Places the jobs of one matched decision: when each runs (delay, throttle), with which priority
 * and concurrency key, and whether it is debounced. Keys are the rule's CEL expressions evaluated
 * on the decision's values; a rule-level throttle takes one slot per firing (all its actions), an
 * action's own throttle one slot per job. Writes what it decided into the job's entry of the decision.
 */
final class FlowControl {
  /** A flow-control key or priority that could not be evaluated. */
  static final class FlowError extends RuntimeException {
    FlowError(String message) {
      super(message);
    }
  }

  /**
   * Where one job goes.
   *
   * @param runAt          when it may run first (null: now)
   * @param concurrencyKey the queue's per-key cap key, or null
   * @param debounce       non-null when the job is debounced, under {@code debounceScope}/{@code debounceKey}
   */
  record Placement(Instant runAt, int priority, String concurrencyKey, Flow.Debounce debounce, String debounceScope,
      String debounceKey) {}

  private final RuleState state;
  private final Connection c;
  private final Rule rule;
  private final Occurrence o;
  private final Map<String, Object> vars;
  private boolean throttled;

  FlowControl(RuleState state, Connection c, Rule rule, Occurrence o, Map<String, Object> vars, long decisionId) {
    this.state = state;
    this.c = c;
    this.rule = rule;
    this.o = o;
    this.vars = vars;
  }

  /** True when a throttle moved a job later than it would otherwise have run. */
  boolean throttled() {
    return throttled;
  }

  /** The run time of the whole firing: {@code earliest}, or later under the rule's own throttle. */
  Instant ruleRunAt(Instant earliest) throws SQLException {
    Flow.Throttle t = rule.flow().throttle();
    if (t == null) return earliest;
    Instant at = state.throttle(c, rule.name(), key("throttle", t.key()), t.limit(), t.period(), earliest);
    if (at.isAfter(earliest)) throttled = true;
    return at;
  }

  /** Places action {@code i} (0-based) of the rule; {@code ruleRunAt} is {@link #ruleRunAt}'s answer. */
  Placement place(int i, Instant ruleRunAt, ObjectNode entry) throws SQLException {
    Flow own = rule.actionFlows().get(i);
    Flow flow = rule.flowOf(i);
    String scope = rule.name() + "#" + (i + 1);
    Instant runAt = ruleRunAt;
    if (own.throttle() != null) {
      Flow.Throttle t = own.throttle();
      Instant at = state.throttle(c, scope, key("action " + (i + 1) + " throttle", t.key()), t.limit(), t.period(), runAt);
      if (at.isAfter(runAt)) {
        throttled = true;
        entry.put("throttled_until", at.toString());
      }
      runAt = at;
    } else if (rule.flow().throttle() != null && ruleRunAt.isAfter(o.now().plus(rule.delay()))) {
      entry.put("throttled_until", ruleRunAt.toString());
    }
    int priority = 0;
    if (flow.priority() != null) {
      try {
        Object p = flow.priority().eval(vars);
        priority = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, ((Number) p).longValue()));
      } catch (CelEvaluationException | ClassCastException e) {
        throw new FlowError("priority: " + e.getMessage());
      }
      entry.put("priority", priority);
    }
    String concurrencyKey = null;
    if (flow.concurrency() != null) {
      concurrencyKey = rule.name() + ":" + key("concurrency", flow.concurrency().key());
      entry.put("concurrency_key", concurrencyKey);
    }
    Flow.Debounce debounce = flow.debounce();
    String debounceKey = null;
    if (debounce != null) {
      debounceKey = key("debounce", debounce.key());
      Instant quiet = o.now().plus(debounce.period());
      if (quiet.isAfter(runAt)) runAt = quiet;
    }
    return new Placement(runAt.isAfter(o.now()) ? runAt : null, priority, concurrencyKey, debounce, scope, debounceKey);
  }

  private String key(String what, Cel.Expr key) {
    if (key == null) return "";
    try {
      return String.valueOf(key.eval(vars));
    } catch (CelEvaluationException e) {
      throw new FlowError(what + " key: " + e.getMessage());
    }
  }
}
