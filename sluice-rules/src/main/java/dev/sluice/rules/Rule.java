package dev.sluice.rules;

import java.time.Duration;
import java.util.List;

/**
 * One checked rule.
 *
 * @param conditions  the {@code when} condition split at its top-level {@code &&} (empty = always)
 * @param actionFlows per action (same order as {@code actions}), its own flow control ({@link Flow#NONE} when none)
 * @param dedupe      the dedupe key expression, or null for the default (the trigger's own id: event, tick, lead version, change)
 * @param dedupeWindow how long a key stays taken (null: {@link #DEDUPE_WINDOW_DEFAULT})
 * @param delay       how long after the decision the actions run (zero: at once)
 * @param flow        the rule's flow control, applying to each of its actions unless the action sets its own
 */
record Rule(String name, String file, int line, Trigger trigger, String when, List<Cel.Expr> conditions,
    List<ActionSpec> actions, List<Flow> actionFlows, Cel.Expr dedupe, Duration dedupeWindow, boolean shadow,
    Enroll enroll, Duration delay, Flow flow) {

  /** How long a rule's dedupe key stays taken when the rule sets no {@code dedupe_window}. */
  static final Duration DEDUPE_WINDOW_DEFAULT = Duration.ofDays(7);

  /** When a matching record fires the rule. */
  enum Enroll {
    /** Every matching evaluation fires (subject to the dedupe key). */
    EVERY_TIME("every-time"),
    /** Fires when the record starts to match; not again until it stopped matching and matches again. */
    ONCE_PER_TRANSITION("once-per-transition");

    final String yaml;

    Enroll(String yaml) {
      this.yaml = yaml;
    }

    static Enroll parse(String v) {
      for (Enroll e : values()) if (e.yaml.equals(v)) return e;
      return null;
    }
  }

  boolean listensTo(String eventConnection, String type) {
    return trigger instanceof Trigger.Event e && e.connection().equals(eventConnection) && e.eventType().equals(type);
  }

  /** The connection of an event or sync-change trigger, else null. */
  String connection() {
    return trigger instanceof Trigger.Event e ? e.connection() : trigger instanceof Trigger.SyncChange s ? s.connection() : null;
  }

  /** The event type of an event trigger ({@code deal.propertyChange}), else null. */
  String eventType() {
    return trigger instanceof Trigger.Event e ? e.eventType() : null;
  }

  Duration window() {
    return dedupeWindow == null ? DEDUPE_WINDOW_DEFAULT : dedupeWindow;
  }

  /** The flow control of action {@code i} (0-based): its own over the rule's. */
  Flow flowOf(int i) {
    return flow.overriddenBy(actionFlows.get(i));
  }
}
