package dev.sluice.rules;

import java.net.URI;
import java.util.Objects;

/**
 * A Slack workspace the {@code slack.post} action can post to.
 *
 * @param apiBase  the Web API base, e.g. {@code https://slack.com/api}
 * @param botToken the bot token ({@code xoxb-…}); sent, never stored in jobs or logged
 */
public record SlackConnection(String name, URI apiBase, String botToken) {
  public SlackConnection {
    Objects.requireNonNull(name);
    Objects.requireNonNull(apiBase);
    Objects.requireNonNull(botToken);
  }

  @Override
  public String toString() {
    return "SlackConnection[" + name + ", " + apiBase + "]";
  }
}
