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
  static final String HUBSPOT_TASK = "hubspot.task";
  static final String HUBSPOT_NOTE = "hubspot.note";
  static final String HUBSPOT_UPDATE = "hubspot.update";
  static final String SEGMENT_TRACK = "segment.track";
  static final String SEGMENT_IDENTIFY = "segment.identify";
  static final String MAILCHIMP_UPSERT = "mailchimp.upsert";
  static final String MAILCHIMP_TAGS = "mailchimp.tags";
  static final String SALESFORCE_UPSERT = "salesforce.upsert";
  static final String EMAIL_SEND = "email.send";
  static final String SHEETS_APPEND = "sheets.append";

  /** Every kind, in the order the docs list them. */
  static final Map<String, ActionSignature> ALL;

  static {
    Map<String, ActionSignature> m = new LinkedHashMap<>();
    put(m, new ActionSignature(SLACK_POST, List.of("connection", "channel", "text"), Set.of("connection", "channel", "text"), "connection"));
    put(m, new ActionSignature(SLACK_WEBHOOK, List.of("connection", "text"), Set.of("connection", "text", "blocks"), "connection"));
    put(m, new ActionSignature(HTTP_REQUEST, List.of("url"), Set.of("url", "method", "headers", "body", "sign"), null));
    put(m, new ActionSignature(HUBSPOT_TASK, List.of("connection", "subject"),
        Set.of("connection", "subject", "body", "owner", "due", "status", "priority", "type", "associate", "record"), "connection"));
    put(m, new ActionSignature(HUBSPOT_NOTE, List.of("connection", "body"), Set.of("connection", "body", "owner", "timestamp", "associate", "record"), "connection"));
    put(m, new ActionSignature(HUBSPOT_UPDATE, List.of("connection", "properties"), Set.of("connection", "object", "record", "id_property", "properties"), "connection"));
    put(m, new ActionSignature(SEGMENT_TRACK, List.of("connection", "event"),
        Set.of("connection", "event", "userId", "anonymousId", "properties", "timestamp", "context"), "connection"));
    put(m, new ActionSignature(SEGMENT_IDENTIFY, List.of("connection"), Set.of("connection", "userId", "anonymousId", "traits", "timestamp", "context"), "connection"));
    put(m, new ActionSignature(MAILCHIMP_UPSERT, List.of("connection", "email"),
        Set.of("connection", "email", "status_if_new", "status", "merge_fields", "email_type", "language", "vip"), "connection"));
    put(m, new ActionSignature(MAILCHIMP_TAGS, List.of("connection", "email", "tags"), Set.of("connection", "email", "tags"), "connection"));
    put(m, new ActionSignature(SALESFORCE_UPSERT, List.of("connection", "object", "external_id_field", "external_id", "fields"),
        Set.of("connection", "object", "external_id_field", "external_id", "fields"), "connection"));
    put(m, new ActionSignature(EMAIL_SEND, List.of("connection", "to", "subject", "text"),
        Set.of("connection", "to", "cc", "bcc", "reply_to", "from", "subject", "text", "html"), "connection"));
    put(m, new ActionSignature(SHEETS_APPEND, List.of("connection", "spreadsheet", "range", "values"),
        Set.of("connection", "spreadsheet", "range", "values", "value_input", "insert", "key_column"), "connection"));
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
