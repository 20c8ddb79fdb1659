package dev.sluice.rules;

import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.slack.SlackOptions;
import dev.sluice.sandbox.slack.SlackSandbox;
import java.net.URI;

/** {@code slack.post} against the sandbox's {@code chat.postMessage}. */
class SlackPostContractTest extends ActionContractTest {
  SlackSandbox slack;

  @Override
  protected String kind() {
    return "slack.post";
  }

  @Override
  protected void startDestination() {
    slack = new SlackSandbox(SlackOptions.builder().channel("contract", false).messageBurst(1000).build());
    sandbox = Sandbox.builder().clock(clock).platform(slack).start();
  }

  @Override
  protected String action(String marker) {
    return "slack.post: {connection: ops, channel: contract, text: \"deal {{event.object_id}} " + marker + "\"}";
  }

  @Override
  protected RulesEngine.Builder targets(RulesEngine.Builder b, URI base) {
    return b.slack(new SlackConnection("ops", URI.create(base + SlackSandbox.API_PREFIX), SlackOptions.DEFAULT_BOT_TOKEN));
  }

  @Override
  protected int effects(String marker) {
    return (int) slack.messages("contract").stream().filter(m -> m.text() != null && m.text().endsWith(" " + marker)).count();
  }

  /**
   * Slack's chat.postMessage has no idempotency key and no way to look a message up by a key of
   * ours without reading the channel's history: a response lost after Slack posted makes the retry
   * post again. The queue's dedupe still makes one job per key (docs/rules.md says so).
   */
  @Override
  protected int effectsAfterALostResponse() {
    return 2;
  }
}
