package dev.sluice.rules;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The arguments one action kind takes, checked when a rules file loads: which are required, which
 * are allowed, and which must be a plain name (a connection, never a template).
 *
 * @param connectionArg the argument naming a configured connection, or null when the kind has none
 */
record ActionSignature(String kind, List<String> required, Set<String> allowed, String connectionArg) {
  static final String SLACK_POST = "slack.post";
  static final String SLACK_WEBHOOK = "slack.webhook";
  static final String HTTP_REQUEST = "http.request";

  /** Every kind, in the order the docs list them. */
  static final Map<String, ActionSignature> ALL;

  static {
    Map<String, ActionSignature> m = new LinkedHashMap<>();
    put(m, new ActionSignature(SLACK_POST, List.of("connection", "channel", "text"), Set.of("connection", "channel", "text"), "connection"));
    put(m, new ActionSignature(SLACK_WEBHOOK, List.of("connection", "text"), Set.of("connection", "text", "blocks"), "connection"));
    put(m, new ActionSignature(HTTP_REQUEST, List.of("url"), Set.of("url", "method", "headers", "body", "sign"), null));
    ALL = java.util.Collections.unmodifiableMap(m);
  }

  private static void put(Map<String, ActionSignature> m, ActionSignature s) {
    m.put(s.kind(), s);
  }

  static List<String> kinds() {
    return List.copyOf(ALL.keySet());
  }

  String allowedList() {
    return String.join(", ", new TreeSet<>(allowed));
  }
}
