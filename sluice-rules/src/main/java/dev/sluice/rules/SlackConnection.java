package dev.sluice.rules;

import java.net.URI;
import java.util.Objects;

/**
 * A Slack workspace the {@code slack.post} action (bot token) or the {@code slack.webhook} action
 * (incoming webhook URL) can post to; at least one of the two is given.
 *
 * @param apiBase    the Web API base, e.g. {@code https://slack.com/api}
 * @param botToken   the bot token ({@code xoxb-…}) or null; sent, never stored in jobs or logged
 * @param webhookUrl the incoming webhook URL ({@code https://hooks.slack.com/services/…}) or null;
 *                   a secret like the token: sent, never stored in jobs or logged
 */
public record SlackConnection(String name, URI apiBase, String botToken, URI webhookUrl) {
  public SlackConnection {
    Objects.requireNonNull(name);
    Objects.requireNonNull(apiBase);
    if (botToken == null && webhookUrl == null) throw new IllegalArgumentException("Slack connection '" + name + "' needs a bot token or a webhook URL");
  }

  /** A workspace reached with a bot token only. */
  public SlackConnection(String name, URI apiBase, String botToken) {
    this(name, apiBase, Objects.requireNonNull(botToken), null);
  }

  @Override
  public String toString() {
    return "SlackConnection[" + name + ", " + apiBase + (webhookUrl != null ? ", incoming webhook" : "") + "]";
  }
}
