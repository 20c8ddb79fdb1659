package dev.sluice.sandbox.slack;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.sandbox.slack.SlackSandbox.Channel;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The Slack sandbox's admin API under {@code /_admin/slack/}: messages, channels, webhooks, stats. */
final class SlackAdminRoutes {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SlackSandbox sandbox;

  SlackAdminRoutes(SlackSandbox sandbox) {
    this.sandbox = sandbox;
  }

  void register(JavalinDefaultRoutingApi app) {
    app.get("/_admin/slack/messages", ctx -> ctx.json(messagesJson(ctx.queryParam("channel"))));
    app.delete("/_admin/slack/messages", ctx -> {
      sandbox.clearMessages();
      ctx.status(204);
    });
    app.get("/_admin/slack/channels", ctx -> ctx.json(channelsJson()));
    app.post("/_admin/slack/channels", this::adminCreateChannel);
    app.patch("/_admin/slack/channels/{channel}", this::adminUpdateChannel);
    app.delete("/_admin/slack/channels/{channel}", ctx -> {
      Channel c = sandbox.channel(ctx.pathParam("channel"));
      if (c == null) {
        ctx.status(404).json(Map.of("error", "no channel " + ctx.pathParam("channel")));
        return;
      }
      sandbox.deleteChannel(c.id());
      ctx.status(204);
    });
    app.post("/_admin/slack/webhooks", this::adminAddWebhook);
    app.get("/_admin/slack/stats", ctx -> ctx.json(Map.of("messages", sandbox.messages().size(),
        "rate_limited", sandbox.rateLimitedCount())));
  }


  private void adminCreateChannel(Context ctx) {
    JsonNode body = adminBody(ctx);
    if (body == null) {
      return;
    }
    String name = body.path("name").asText("");
    if (!name.matches("#?[a-z0-9][a-z0-9_-]{0,79}")) {
      ctx.status(400).json(Map.of("error", "name must be 1-80 lowercase letters, digits, - or _"));
      return;
    }
    if (sandbox.channel(name) != null) {
      ctx.status(409).json(Map.of("error", "channel " + name + " exists"));
      return;
    }
    String id = sandbox.createChannel(name, body.path("archived").asBoolean(false));
    ctx.status(201).json(channelJson(sandbox.channel(id)));
  }

  private void adminUpdateChannel(Context ctx) {
    JsonNode body = adminBody(ctx);
    if (body == null) {
      return;
    }
    Channel c = sandbox.channel(ctx.pathParam("channel"));
    if (c == null) {
      ctx.status(404).json(Map.of("error", "no channel " + ctx.pathParam("channel")));
      return;
    }
    if (body.has("archived")) {
      sandbox.setArchived(c.id(), body.get("archived").asBoolean());
    }
    ctx.json(channelJson(sandbox.channel(c.id())));
  }

  private void adminAddWebhook(Context ctx) {
    JsonNode body = adminBody(ctx);
    if (body == null) {
      return;
    }
    String channel = body.path("channel").asText("");
    if (sandbox.channel(channel) == null) {
      ctx.status(400).json(Map.of("error", "no channel " + channel));
      return;
    }
    String secret = body.path("secret").asText(java.util.UUID.randomUUID().toString().replace("-", ""));
    if (!secret.matches("[A-Za-z0-9]{8,64}") || sandbox.hasWebhook(secret)) {
      ctx.status(400).json(Map.of("error", "secret must be 8 to 64 letters or digits, and new"));
      return;
    }
    String path = sandbox.addWebhook(secret, channel);
    ctx.status(201).json(Map.of("path", path, "url", "http://" + ctx.host() + path));
  }

  private JsonNode adminBody(Context ctx) {
    try {
      JsonNode body = JSON.readTree(ctx.body().isBlank() ? "{}" : ctx.body());
      if (body.isObject()) {
        return body;
      }
    } catch (JsonProcessingException e) {
      // answered below
    }
    ctx.status(400).json(Map.of("error", "the body must be a JSON object"));
    return null;
  }

  private List<Map<String, Object>> messagesJson(String channel) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (SlackMessage m : channel == null ? sandbox.messages() : sandbox.messages(channel)) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("channel", m.channelId());
      j.put("channel_name", m.channelName());
      j.put("ts", m.ts());
      j.put("text", m.text());
      j.put("blocks", m.blocksJson());
      j.put("source", m.source());
      j.put("received_at", m.receivedAt().toString());
      out.add(j);
    }
    return out;
  }

  private List<Map<String, Object>> channelsJson() {
    return sandbox.channels().stream().map(this::channelJson).toList();
  }

  private Map<String, Object> channelJson(Channel c) {
    return Map.of("id", c.id(), "name", c.name(), "is_archived", c.archived());
  }
}
