package dev.sluice.sandbox.slack;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of the Slack sandbox; immutable, built with {@link #builder()}.
 *
 * @param botToken the only bot token {@code chat.postMessage} accepts ({@code xoxb-…})
 * @param teamId the workspace id ({@code T…})
 * @param channels channel name → archived flag; ids are assigned in this order ({@code C0000000001}…)
 * @param webhooks incoming webhook secret → channel name; each becomes
 *     {@code /services/slack-hooks/<teamId>/B…/<secret>}
 * @param messageInterval the long-run pace of one channel: one message per interval (Slack: about 1 s)
 * @param messageBurst how many messages a quiet channel takes at once before the pace applies
 *     (Slack allows "short bursts" over 1 per second without a number; the sandbox's choice is 3)
 * @param clock the clock of the per-channel limit and message timestamps; null (the default) reads
 *     the shared sandbox clock, or the system clock when the platform runs on its own
 */
public record SlackOptions(String botToken, String teamId, Map<String, Boolean> channels,
                           Map<String, String> webhooks, Duration messageInterval, int messageBurst, Clock clock) {

  public static final String DEFAULT_BOT_TOKEN = "xoxb-0000000001-0000000001-sandboxslacktoken";
  public static final Duration DEFAULT_MESSAGE_INTERVAL = Duration.ofSeconds(1);
  public static final int DEFAULT_MESSAGE_BURST = 3;

  public SlackOptions {
    Objects.requireNonNull(botToken, "botToken");
    Objects.requireNonNull(teamId, "teamId");
    channels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(channels));
    webhooks = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(webhooks));
    for (String channel : webhooks.values()) {
      if (!channels.containsKey(channel)) {
        throw new IllegalArgumentException("webhook channel " + channel + " is not among the channels " + channels.keySet());
      }
    }
    if (messageInterval.isNegative()) {
      throw new IllegalArgumentException("messageInterval must not be negative");
    }
    if (messageBurst < 1) {
      throw new IllegalArgumentException("messageBurst must be at least 1");
    }
  }

  public static SlackOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public static final class Builder {
    private String botToken = DEFAULT_BOT_TOKEN;
    private String teamId = "T0000000001";
    private final Map<String, Boolean> channels = new LinkedHashMap<>();
    private final Map<String, String> webhooks = new LinkedHashMap<>();
    private Duration messageInterval = DEFAULT_MESSAGE_INTERVAL;
    private int messageBurst = DEFAULT_MESSAGE_BURST;
    private Clock clock;
    private boolean defaultChannels = true;

    public Builder botToken(String v) { botToken = v; return this; }
    public Builder teamId(String v) { teamId = v; return this; }
    /** Adds a channel; the first call replaces the defaults (general, alerts, archived-news). */
    public Builder channel(String name, boolean archived) {
      if (defaultChannels) {
        channels.clear();
        webhooks.clear();
        defaultChannels = false;
      }
      channels.put(name, archived);
      return this;
    }
    /** Adds an incoming webhook posting to {@code channel}. */
    public Builder webhook(String secret, String channel) {
      if (defaultChannels) {
        defaults();
        defaultChannels = false;
      }
      webhooks.put(secret, channel);
      return this;
    }
    public Builder messageInterval(Duration v) { messageInterval = v; return this; }
    public Builder messageBurst(int v) { messageBurst = v; return this; }
    public Builder clock(Clock v) { clock = v; return this; }

    private void defaults() {
      channels.put("general", false);
      channels.put("alerts", false);
      channels.put("archived-news", true);
      webhooks.put("sandboxhooksecret0000001", "general");
      webhooks.put("sandboxhooksecret0000002", "archived-news");
    }

    public SlackOptions build() {
      if (defaultChannels) {
        defaults();
      }
      return new SlackOptions(botToken, teamId, channels, webhooks, messageInterval, messageBurst, clock);
    }
  }
}
