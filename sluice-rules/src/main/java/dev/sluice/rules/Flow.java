package dev.sluice.rules;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Flow control of a rule (all its actions) or of one action, each keyed by a CEL expression
 * (absent = one key for the whole rule or action). Immutable.
 *
 * @param throttle    at most {@code limit} jobs per {@code period} per key; the rest run later, none is dropped
 * @param debounce    one job per key after the key was quiet for {@code period}, at most {@code maxWait} after the first
 * @param concurrency at most {@code limit} of the jobs running at once per key (the queue's per-key cap)
 * @param priority    the jobs' queue priority (lower runs first), an integer CEL expression
 */
record Flow(Throttle throttle, Debounce debounce, Concurrency concurrency, Cel.Expr priority) {
  static final Flow NONE = new Flow(null, null, null, null);
  static final List<String> KEYS = List.of("throttle", "debounce", "concurrency", "priority");

  record Throttle(int limit, Duration period, Cel.Expr key) {}

  record Debounce(Duration period, Duration maxWait, Cel.Expr key) {}

  record Concurrency(int limit, Cel.Expr key) {}

  boolean isNone() {
    return throttle == null && debounce == null && concurrency == null && priority == null;
  }

  /** {@code inner} where it sets something, else this (an action's own flow control over its rule's). */
  Flow overriddenBy(Flow inner) {
    return new Flow(inner.throttle != null ? inner.throttle : throttle, inner.debounce != null ? inner.debounce : debounce,
        inner.concurrency != null ? inner.concurrency : concurrency, inner.priority != null ? inner.priority : priority);
  }

  /** Reads one flow-control key's value (already a map of strings); throws IllegalArgumentException with the reason. */
  static Flow parse(String name, Object value, Flow into) throws Cel.CompileError {
    switch (name) {
      case "priority" -> {
        String v = value instanceof String s ? s : null;
        if (v == null || v.isBlank()) throw new IllegalArgumentException("priority is an integer or an integer CEL expression (lower runs first)");
        return new Flow(into.throttle, into.debounce, into.concurrency, Cel.integer(v));
      }
      case "throttle" -> {
        Map<String, String> m = map(name, value, List.of("limit", "period", "key"));
        int limit = positiveInt(name, m.get("limit"));
        Duration period = duration(name, "period", m.get("period"));
        return new Flow(new Throttle(limit, period, key(m)), into.debounce, into.concurrency, into.priority);
      }
      case "debounce" -> {
        Map<String, String> m = map(name, value, List.of("period", "max_wait", "key"));
        Duration period = duration(name, "period", m.get("period"));
        Duration maxWait = m.get("max_wait") == null ? period.multipliedBy(10) : duration(name, "max_wait", m.get("max_wait"));
        if (maxWait.compareTo(period) < 0) throw new IllegalArgumentException("debounce: max_wait must be at least period");
        return new Flow(into.throttle, new Debounce(period, maxWait, key(m)), into.concurrency, into.priority);
      }
      case "concurrency" -> {
        Map<String, String> m = map(name, value, List.of("limit", "key"));
        int limit = positiveInt(name, m.get("limit"));
        if (m.get("key") == null) throw new IllegalArgumentException("concurrency needs key: a CEL expression (e.g. event.object_id: one at a time per record)");
        return new Flow(into.throttle, into.debounce, new Concurrency(limit, key(m)), into.priority);
      }
      default -> throw new IllegalArgumentException("unknown flow control '" + name + "'");
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> map(String name, Object value, List<String> allowed) {
    if (!(value instanceof Map<?, ?> m)) throw new IllegalArgumentException(name + " is a mapping of " + String.join(", ", allowed));
    for (Object k : m.keySet()) {
      if (!allowed.contains(String.valueOf(k))) throw new IllegalArgumentException(name + ": unknown key '" + k + "' (known: " + String.join(", ", allowed) + ")");
      if (m.get(k) != null && !(m.get(k) instanceof String)) throw new IllegalArgumentException(name + "." + k + " must be a single value");
    }
    return (Map<String, String>) m;
  }

  private static int positiveInt(String name, String v) {
    try {
      int n = Integer.parseInt(v == null ? "" : v.strip());
      if (n >= 1) return n;
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(name + ": limit must be a positive integer; got '" + v + "'");
  }

  private static Duration duration(String name, String key, String v) {
    Duration d = RuleLoader.duration(v);
    if (d == null) throw new IllegalArgumentException(name + ": " + key + " must be a positive duration such as 30s, 5m, 1h or 1d; got '" + v + "'");
    return d;
  }

  private static Cel.Expr key(Map<String, String> m) throws Cel.CompileError {
    String k = m.get("key");
    return k == null ? null : Cel.string(k);
  }
}
