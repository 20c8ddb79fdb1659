package dev.sluice.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.DestinationConnector;
import dev.sluice.queue.JobContext;
import dev.sluice.queue.JobSnooze;
import dev.sluice.queue.PermanentJobFailure;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * What the Segment, Mailchimp and Salesforce actions share: the connections they may name (a
 * {@code connections:} entry of sluice.yaml and the connector made from it on first use, the same
 * kind of connector pipelines write through, so an action takes its permits from the connection's
 * shared rate-limit buckets and concurrency caps), how a connector's refusal becomes the job's
 * outcome, and the argument checks {@code ./sluice rules check} runs on them.
 */
final class ConnectorActions {
  /** The platforms whose connections these actions name. */
  static final Set<String> PLATFORMS = Set.of("segment", "mailchimp", "salesforce");
  /** Salesforce object and field names, also safe in a URL path. */
  static final String SALESFORCE_NAME = "[A-Za-z][A-Za-z0-9_]{0,79}";

  private ConnectorActions() {}

  /** One connection actions may name: its config and its connector, made once on first use (null: named for checks only). */
  static final class Connection {
    private final ConnectionConfig config;
    private final Supplier<? extends DestinationConnector> make;
    private volatile DestinationConnector made;

    Connection(ConnectionConfig config, Supplier<? extends DestinationConnector> make) {
      this.config = java.util.Objects.requireNonNull(config);
      this.make = make;
    }

    ConnectionConfig config() {
      return config;
    }

    /** The connector, or null when this process only checks rules. */
    <T extends DestinationConnector> T connector(Class<T> type) {
      if (make == null) return null;
      DestinationConnector c = made;
      if (c == null) {
        synchronized (this) {
          if (made == null) made = make.get();
          c = made;
        }
      }
      return type.cast(c);
    }
  }

  /**
   * A connector's refusal as the job's outcome: a rate limit (429, a permit or a connection slot
   * not had) waits for its wait without spending an attempt; a 5xx waits for its {@code
   * Retry-After} likewise when it gave one, else it and a lost answer are retried by the kind's
   * backoff; any other refusal (another 4xx, rejected credentials, an expired session) is dead at
   * once, with the platform's answer kept as {@code {"response": {status, body}}}.
   */
  static RuntimeException outcome(JobContext ctx, ConnectorException e) {
    switch (e.kind()) {
      case RATE_LIMITED -> {
        return new JobSnooze(e.retryAfter() == null ? Duration.ofSeconds(1) : e.retryAfter());
      }
      case RETRYABLE, MALFORMED -> {
        return e.retryAfter() != null ? new JobSnooze(e.retryAfter()) : new IllegalStateException(e.getMessage(), e);
      }
      default -> {
        ObjectNode kept = ActionHttp.JSON.createObjectNode();
        kept.putObject("response").put("status", e.httpStatus()).put("kind", e.kind().name()).put("body", e.getMessage());
        ctx.progress(kept);
        return new PermanentJobFailure(e.getMessage(), e);
      }
    }
  }

  /** The handlers' common part: the connections of one platform. */
  abstract static class Base implements ActionHandler {
    private final String kind;
    private final String platform;
    private final String label;
    private final Map<String, Connection> connections;
    final ActionHttp http;

    Base(String kind, String platform, String label, Map<String, Connection> connections, ActionHttp http) {
      this.kind = kind;
      this.platform = platform;
      this.label = label;
      this.connections = connections;
      this.http = http;
    }

    @Override
    public String kind() {
      return kind;
    }

    @Override
    public Set<String> connections() {
      return connections.values().stream().filter(c -> platform.equals(c.config().platform())).map(c -> c.config().name())
          .collect(Collectors.toSet());
    }

    @Override
    public String unknownConnection(String name) {
      return "no " + label + " connection '" + name + "' under connections";
    }

    /** The config of connection {@code name} when it is one of this platform's, else null. */
    ConnectionConfig configOf(String name) {
      Connection c = name == null ? null : connections.get(name);
      return c == null || !platform.equals(c.config().platform()) ? null : c.config();
    }

    /** The connection {@code args} name, recorded in the payload (at render time). */
    ConnectionConfig connectionOf(JsonNode args, ObjectNode payload) {
      String name = args.path("connection").asText();
      Connection c = connections.get(name);
      if (c == null || !platform.equals(c.config().platform())) {
        throw new IllegalArgumentException(unknownConnection(name) + " (configured: " + new TreeSet<>(connections()) + ")");
      }
      payload.put("connection", name);
      return c.config();
    }

    /** The connector of the payload's connection (at send time). */
    <T extends DestinationConnector> T connector(JsonNode payload, Class<T> type) {
      String name = payload.path("connection").asText();
      Connection c = connections.get(name);
      T connector = c == null || !platform.equals(c.config().platform()) ? null : c.connector(type);
      if (connector == null) throw new PermanentJobFailure("no " + label + " connection '" + name + "' in this process's config");
      return connector;
    }
  }

  // ---- argument checks (when a rules file loads: ./sluice rules check, every engine build) ----

  /** Why the arguments of a Segment, Mailchimp or Salesforce action as written cannot work; null when they can (or for another kind). */
  static String argumentProblem(String kind, Map<String, Object> args) {
    return switch (kind) {
      case ActionSignature.SEGMENT_TRACK, ActionSignature.SEGMENT_IDENTIFY -> SegmentActions.argumentProblem(kind, args);
      case ActionSignature.MAILCHIMP_UPSERT, ActionSignature.MAILCHIMP_TAGS -> MailchimpActions.argumentProblem(kind, args);
      case ActionSignature.SALESFORCE_UPSERT -> SalesforceActions.argumentProblem(kind, args);
      default -> null;
    };
  }

  /** The text of an argument when it holds no template ({@code {{…}}}), else null. */
  static String literal(Object arg) {
    String s = ActionHandler.plain(arg);
    return s == null || s.contains("{{") ? null : s;
  }

  /** {@code kind: name must be a mapping …}, or null. */
  static String mapping(String kind, Map<String, Object> args, String name) {
    Object v = args.get(name);
    return v == null || v instanceof Map<?, ?> ? null : kind + ": " + name + " must be a mapping of name → value";
  }

  /** {@code kind: name must be one of …}, or null; a template is checked when it is rendered. */
  static String oneOf(String kind, Map<String, Object> args, String name, List<String> values) {
    Object v = args.get(name);
    if (v == null) return null;
    if (v instanceof Map<?, ?> || v instanceof List<?>) return kind + ": " + name + " must be one of " + String.join(", ", values);
    String s = literal(v);
    return s == null || values.contains(s) ? null : kind + ": " + name + " must be one of " + String.join(", ", values) + ", got '" + s + "'";
  }

  /** The first non-null problem. */
  static String first(String... problems) {
    for (String p : problems) {
      if (p != null) return p;
    }
    return null;
  }

  /** A rendered argument's text, stripped; empty when absent. */
  static String text(JsonNode args, String name) {
    JsonNode v = args.get(name);
    return v == null || v.isNull() ? "" : v.isValueNode() ? v.asText().strip() : v.toString();
  }
}
