package dev.sluice.sandbox.slack;

import java.time.Instant;

/**
 * A message the Slack sandbox accepted.
 *
 * @param channelId the channel's id ({@code C…})
 * @param channelName the channel's name without {@code #}
 * @param ts Slack's message timestamp id ({@code 1700000000.000100})
 * @param text the {@code text} argument, or null
 * @param blocksJson the {@code blocks} argument as JSON text, or null
 * @param source {@code "chat.postMessage"} or {@code "incoming-webhook"}
 * @param receivedAt when it arrived, by the platform clock
 */
public record SlackMessage(String channelId, String channelName, String ts, String text, String blocksJson,
                           String source, Instant receivedAt) {}
