package dev.sluice.rules;

import java.net.URI;

/** {@code slack.webhook} against the sandbox's incoming webhooks (same sandbox set-up as {@code slack.post}). */
class SlackWebhookContractTest extends SlackPostContractTest {
  String hookPath;

  @Override
  protected String kind() {
    return "slack.webhook";
  }

  @Override
  protected void startDestination() {
    super.startDestination();
    hookPath = slack.addWebhook("contracthooksecret1", "contract");
  }

  @Override
  protected String action(String marker) {
    return "slack.webhook: {connection: alerts, text: \"deal {{event.object_id}} " + marker + "\"}";
  }

  @Override
  protected RulesEngine.Builder targets(RulesEngine.Builder b, URI base) {
    return b.slack(new SlackConnection("alerts", URI.create("https://slack.com/api"), null, URI.create(base + hookPath)));
  }

  @Override
  protected int effects(String marker) {
    return (int) slack.messages("contract").stream()
        .filter(m -> "incoming-webhook".equals(m.source()) && m.text() != null && m.text().endsWith(" " + marker)).count();
  }
  // Incoming webhooks have no idempotency key either: SlackPostContractTest#effectsAfterALostResponse (2) applies.
}
