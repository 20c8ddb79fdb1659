package dev.sluice.rules;

import java.time.Duration;
import java.util.List;

/**
 * One checked rule.
 *
 * @param conditions the {@code when} condition split at its top-level {@code &&} (empty = always)
 * @param dedupe     the dedupe key expression, or null for the default (rule, connection and provider event id)
 */
record Rule(String name, String file, int line, String connection, String eventType, String when,
    List<Cel.Expr> conditions, List<ActionSpec> actions, Cel.Expr dedupe, Duration dedupeWindow, boolean shadow) {

  boolean listensTo(String eventConnection, String type) {
    return connection.equals(eventConnection) && eventType.equals(type);
  }
}
