package dev.sluice.rules;

import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.slack.SlackOptions;
import dev.sluice.sandbox.slack.SlackSandbox;
import java.net.URI;

/** {@code slack.webhook} against the sandbox's incoming webhooks. */
class SlackWebhookContractTest extends ActionContractTest {
  Sandbox sandbox;
  SlackSandbox slack;
  String hookPath;

  @Override
  protected String kind() {
    return "slack.webhook";
  }

  @Override
  protected void startDestination() {
    slack = new SlackSandbox(SlackOptions.builder().channel("alerts", false).messageBurst(1000).build());
    sandbox = Sandbox.builder().clock(clock).platform(slack).start();
    hookPath = slack.addWebhook("contracthooksecret1", "alerts");
  }

  @Override
  protected void stopDestination() {
    sandbox.close();
  }

  @Override
  protected URI destination() {
    return URI.create(sandbox.baseUrl());
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
    return (int) slack.messages("alerts").stream().filter(m -> m.text() != null && m.text().endsWith(" " + marker)).count();
  }

  /** Incoming webhooks have no idempotency key either (see {@link SlackPostContractTest#effectsAfterALostResponse}). */
  @Override
  protected int effectsAfterALostResponse() {
    return 2;
  }
}
