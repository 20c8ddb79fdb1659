package dev.sluice.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.mailchimp.MailchimpConnector;
import dev.sluice.queue.JobContext;
import java.util.List;
import java.util.Map;

/**
 * {@code mailchimp.upsert} ({@code PUT /lists/{list}/members/{subscriber hash}}) and {@code
 * mailchimp.tags} ({@code POST …/members/{hash}/tags}) on the audience of a Mailchimp connection
 * ({@code settings.list_id}), through its connector: each request holds one of the account's
 * simultaneous-connection slots ({@code <connection>:connections}, 10 by default), shared through
 * PostgreSQL with the connection's pipelines and syncs. Both are idempotent by the member's email
 * (its subscriber hash): a resend writes the same member, or sets the same tags, again.
 */
final class MailchimpActions {
  static final List<String> STATUSES = List.of("subscribed", "unsubscribed", "cleaned", "pending", "transactional");
  private static final List<String> TAG_STATES = List.of("active", "inactive", "true", "false");

  private MailchimpActions() {}

  static ActionHandler upsert(Map<String, ConnectorActions.Connection> connections, ActionHttp http) {
    return new Upsert(connections, http);
  }

  static ActionHandler tags(Map<String, ConnectorActions.Connection> connections, ActionHttp http) {
    return new Tags(connections, http);
  }

  /** Why a {@code mailchimp.*} action's arguments as written cannot work, or null (checked when the file loads). */
  static String argumentProblem(String kind, Map<String, Object> args) {
    if (kind.equals(ActionSignature.MAILCHIMP_UPSERT)) {
      return ConnectorActions.first(ConnectorActions.mapping(kind, args, "merge_fields"),
          ConnectorActions.oneOf(kind, args, "status_if_new", STATUSES), ConnectorActions.oneOf(kind, args, "status", STATUSES),
          ConnectorActions.oneOf(kind, args, "email_type", List.of("html", "text")), ConnectorActions.oneOf(kind, args, "vip", List.of("true", "false")));
    }
    Object tags = args.get("tags");
    if (tags instanceof List<?> l) {
      return l.isEmpty() ? kind + ": tags is empty" : null;
    }
    if (tags instanceof Map<?, ?> m) {
      if (m.isEmpty()) return kind + ": tags is empty";
      for (Map.Entry<?, ?> e : m.entrySet()) {
        String v = ConnectorActions.literal(e.getValue());
        if (e.getValue() instanceof Map<?, ?> || e.getValue() instanceof List<?> || (v != null && !TAG_STATES.contains(v))) {
          return kind + ": tag '" + e.getKey() + "' must be active or inactive, got " + (v == null ? "a " + e.getValue().getClass().getSimpleName() : "'" + v + "'");
        }
      }
      return null;
    }
    return kind + ": tags must be a list of names (set active) or a mapping of name → active / inactive";
  }

  private abstract static class Member extends ConnectorActions.Base {
    Member(String kind, Map<String, ConnectorActions.Connection> connections, ActionHttp http) {
      super(kind, "mailchimp", "Mailchimp", connections, http);
    }

    @Override
    public String configProblem(Map<String, Object> args) {
      ConnectionConfig c = configOf(ActionHandler.plain(args.get("connection")));
      return c == null || c.setting("list_id") != null ? null
          : kind() + ": Mailchimp connection '" + c.name() + "' has no settings.list_id (the audience its members belong to)";
    }

    /** The member's URL ({@code …/members/{hash}}); records the email in the payload. */
    String memberUrl(JsonNode args, ObjectNode payload, ObjectNode req) {
      ConnectionConfig c = connectionOf(args, payload);
      String list = c.setting("list_id");
      if (list == null) throw new IllegalArgumentException("Mailchimp connection '" + c.name() + "' has no settings.list_id (the audience)");
      String email = ConnectorActions.text(args, "email");
      if (!email.matches("[^@\\s]+@[^@\\s]+")) throw new IllegalArgumentException("email '" + email + "' is not an email address");
      payload.put("email", email);
      req.putObject("headers").put("Authorization", "Basic <API key of " + c.name() + ">").put("Content-Type", "application/json");
      return c.baseUrl() + "/lists/" + list + "/members/" + MailchimpConnector.subscriberHash(email);
    }

    /** The payload's rendered status argument {@code name}, checked; or {@code fallback}. */
    static String status(JsonNode args, String name, String fallback) {
      String s = ConnectorActions.text(args, name);
      if (s.isEmpty()) return fallback;
      if (!STATUSES.contains(s)) throw new IllegalArgumentException(name + " '" + s + "' is not one of " + String.join(", ", STATUSES));
      return s;
    }
  }

  /** Upserts one member by email: {@code status_if_new} for a new member, {@code status} (optional) for every member. */
  private static final class Upsert extends Member {
    Upsert(Map<String, ConnectorActions.Connection> connections, ActionHttp http) {
      super(ActionSignature.MAILCHIMP_UPSERT, connections, http);
    }

    @Override
    public void request(JsonNode args, String dedupeKey, ObjectNode payload, ObjectNode req) {
      String url = memberUrl(args, payload, req);
      ConnectionConfig c = connectionOf(args, payload);
      String fallback = c.setting("default_status") == null ? "subscribed" : c.setting("default_status");
      ObjectNode member = ActionHttp.JSON.createObjectNode().put("email_address", payload.path("email").asText());
      member.put("status_if_new", status(args, "status_if_new", fallback));
      String status = status(args, "status", null);
      if (status != null) member.put("status", status);
      for (String f : List.of("email_type", "language")) {
        String v = ConnectorActions.text(args, f);
        if (!v.isEmpty()) member.put(f, v);
      }
      String vip = ConnectorActions.text(args, "vip");
      if (!vip.isEmpty()) member.put("vip", Boolean.parseBoolean(vip));
      JsonNode merges = args.get("merge_fields");
      if (merges != null && merges.isObject() && !merges.isEmpty()) member.set("merge_fields", merges);
      req.put("method", "PUT");
      req.put("url", url);
      req.set("body", member);
    }

    @Override
    public void send(JobContext ctx, JsonNode payload) {
      MailchimpConnector mailchimp = connector(payload, MailchimpConnector.class);
      JsonNode answer;
      try {
        answer = mailchimp.putMember(payload.path("email").asText(), payload.path("request").path("body"));
      } catch (ConnectorException e) {
        throw ConnectorActions.outcome(ctx, e);
      }
      ObjectNode p = ActionHttp.JSON.createObjectNode();
      p.putObject("result").put("id", answer.path("id").asText()).put("status", answer.path("status").asText())
          .put("email", answer.path("email_address").asText());
      ctx.progress(p);
    }
  }

  /** Sets tags active or inactive on an existing member. */
  private static final class Tags extends Member {
    Tags(Map<String, ConnectorActions.Connection> connections, ActionHttp http) {
      super(ActionSignature.MAILCHIMP_TAGS, connections, http);
    }

    @Override
    public void request(JsonNode args, String dedupeKey, ObjectNode payload, ObjectNode req) {
      String url = memberUrl(args, payload, req) + "/tags";
      ObjectNode body = ActionHttp.JSON.createObjectNode();
      ArrayNode tags = body.putArray("tags");
      JsonNode given = args.path("tags");
      if (given.isArray()) {
        given.forEach(t -> tags.addObject().put("name", name(t.asText())).put("status", "active"));
      } else {
        given.properties().forEach(e -> {
          String state = e.getValue().asText().strip();
          if (!TAG_STATES.contains(state)) throw new IllegalArgumentException("tag '" + e.getKey() + "' must be active or inactive, got '" + state + "'");
          tags.addObject().put("name", name(e.getKey())).put("status", state.equals("active") || state.equals("true") ? "active" : "inactive");
        });
      }
      body.put("is_syncing", false);
      req.put("method", "POST");
      req.put("url", url);
      req.set("body", body);
    }

    private static String name(String tag) {
      String t = tag.strip();
      if (t.isEmpty() || t.length() > 100) throw new IllegalArgumentException("tag name '" + t + "' must be 1 to 100 characters");
      return t;
    }

    @Override
    public void send(JobContext ctx, JsonNode payload) {
      MailchimpConnector mailchimp = connector(payload, MailchimpConnector.class);
      JsonNode body = payload.path("request").path("body");
      try {
        mailchimp.postTags(payload.path("email").asText(), body);
      } catch (ConnectorException e) {
        throw ConnectorActions.outcome(ctx, e);
      }
      ObjectNode p = ActionHttp.JSON.createObjectNode();
      p.putObject("result").put("email", payload.path("email").asText()).set("tags", body.path("tags"));
      ctx.progress(p);
    }
  }
}
