package dev.sluice.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.queue.JobContext;
import dev.sluice.queue.JobSnooze;
import dev.sluice.queue.PermanentJobFailure;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Slack's two ways in: {@code slack.post} ({@code chat.postMessage} with the workspace's bot token)
 * and {@code slack.webhook} (an incoming webhook). Slack has no idempotency key on either: the
 * queue's dedupe key makes one job per key, and a response lost after Slack accepted the message
 * makes the retry post it again (documented in docs/rules.md).
 */
final class SlackActions {
  private SlackActions() {}

  static ActionHandler post(Map<String, SlackConnection> slack, ActionHttp http) {
    return new Post(slack, http);
  }

  static ActionHandler webhook(Map<String, SlackConnection> slack, ActionHttp http) {
    return new Webhook(slack, http);
  }

  private static SlackConnection connection(Map<String, SlackConnection> slack, String kind, JsonNode args, ObjectNode payload) {
    String name = args.path("connection").asText();
    SlackConnection sc = slack.get(name);
    if (sc == null) throw new IllegalArgumentException("no Slack connection '" + name + "' (configured: " + slack.keySet() + ")");
    payload.put("connection", name);
    return sc;
  }

  private static SlackConnection configured(Map<String, SlackConnection> slack, JsonNode payload) {
    String name = payload.path("connection").asText();
    SlackConnection sc = slack.get(name);
    if (sc == null) throw new PermanentJobFailure("no Slack connection '" + name + "' in this process's config");
    return sc;
  }

  private record Post(Map<String, SlackConnection> slack, ActionHttp http) implements ActionHandler {
    @Override
    public String kind() {
      return ActionSignature.SLACK_POST;
    }

    @Override
    public String unknownConnection(String name) {
      return "no Slack workspace '" + name + "' with a bot_token under rules.slack";
    }

    @Override
    public Set<String> connections() {
      return slack.values().stream().filter(s -> s.botToken() != null).map(SlackConnection::name).collect(Collectors.toSet());
    }

    @Override
    public void request(JsonNode args, String dedupeKey, ObjectNode payload, ObjectNode req) {
      SlackConnection sc = connection(slack, kind(), args, payload);
      if (sc.botToken() == null) throw new IllegalArgumentException("Slack connection '" + sc.name() + "' has no bot_token (slack.post needs one)");
      req.put("method", "POST");
      req.put("url", ActionHttp.stripSlash(sc.apiBase().toString()) + "/chat.postMessage");
      req.putObject("headers").put("Content-Type", "application/json; charset=utf-8").put("Authorization", "Bearer <bot token of " + sc.name() + ">");
      req.putObject("body").put("channel", args.path("channel").asText()).put("text", args.path("text").asText());
    }

    @Override
    public void send(JobContext ctx, JsonNode payload) throws Exception {
      SlackConnection sc = configured(slack, payload);
      JsonNode req = payload.path("request");
      HttpResponse<String> res = http.send(req, Map.of("Authorization", "Bearer " + sc.botToken()), null, ActionHttp.body(req));
      http.retryOnThrottleOrServerError(res);
      JsonNode body = ActionHttp.parse(res.body());
      if (res.statusCode() / 100 == 2 && body.path("ok").asBoolean(false)) {
        ctx.progress(ActionHttp.response(res, body));
        return;
      }
      String error = body.path("error").asText("HTTP " + res.statusCode());
      if (error.equals("ratelimited")) throw new JobSnooze(http.retryAfter(res).orElse(Duration.ofSeconds(1)));
      ctx.progress(ActionHttp.response(res, body));
      throw new PermanentJobFailure("Slack chat.postMessage: " + error);
    }
  }

  /**
   * An incoming webhook: JSON {@code {"text", "blocks"?}}, answered {@code 200 ok} or an error word
   * with a 4xx ({@code invalid_payload}, {@code no_text}, {@code channel_not_found},
   * {@code channel_is_archived}, {@code no_service}…), which goes dead with the answer kept.
   */
  private record Webhook(Map<String, SlackConnection> slack, ActionHttp http) implements ActionHandler {
    @Override
    public String kind() {
      return ActionSignature.SLACK_WEBHOOK;
    }

    @Override
    public String unknownConnection(String name) {
      return "no Slack workspace '" + name + "' with a webhook_url under rules.slack";
    }

    @Override
    public Set<String> connections() {
      return slack.values().stream().filter(s -> s.webhookUrl() != null).map(SlackConnection::name).collect(Collectors.toSet());
    }

    @Override
    public void request(JsonNode args, String dedupeKey, ObjectNode payload, ObjectNode req) {
      SlackConnection sc = connection(slack, kind(), args, payload);
      if (sc.webhookUrl() == null) throw new IllegalArgumentException("Slack connection '" + sc.name() + "' has no webhook_url (slack.webhook needs one)");
      req.put("method", "POST");
      req.put("url", "<incoming webhook URL of " + sc.name() + ">");
      req.putObject("headers").put("Content-Type", "application/json; charset=utf-8");
      ObjectNode body = req.putObject("body").put("text", args.path("text").asText());
      if (args.has("blocks")) body.set("blocks", args.get("blocks"));
    }

    @Override
    public void send(JobContext ctx, JsonNode payload) throws Exception {
      SlackConnection sc = configured(slack, payload);
      if (sc.webhookUrl() == null) throw new PermanentJobFailure("Slack connection '" + sc.name() + "' has no webhook_url in this process's config");
      JsonNode req = payload.path("request");
      HttpResponse<String> res = http.send(req, Map.of(), sc.webhookUrl(), ActionHttp.body(req));
      http.retryOnThrottleOrServerError(res);
      ObjectNode kept = ActionHttp.response(res, null);
      ctx.progress(kept);
      if (res.statusCode() / 100 != 2) throw new PermanentJobFailure("Slack incoming webhook: HTTP " + res.statusCode() + " " + ActionHttp.truncate(res.body()));
    }
  }
}
