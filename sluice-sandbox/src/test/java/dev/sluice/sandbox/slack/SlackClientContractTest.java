package dev.sluice.sandbox.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.response.auth.AuthTestResponse;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.webhook.WebhookResponse;
import dev.sluice.sandbox.ManualClock;
import dev.sluice.sandbox.Sandbox;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sandbox's Slack as Slack's official Java SDK ({@code com.slack.api:slack-api-client}) sees it. */
class SlackClientContractTest {
  private static final String TOKEN = SlackOptions.DEFAULT_BOT_TOKEN;
  private final ManualClock clock = new ManualClock(Instant.parse("2026-03-11T15:00:00Z"));
  private Sandbox server;
  private SlackSandbox sandbox;
  private Slack slack;
  private MethodsClient methods;

  @BeforeEach
  void start() {
    sandbox = new SlackSandbox(SlackOptions.defaults());
    server = Sandbox.builder().clock(clock).platform(sandbox).start();
    SlackConfig config = new SlackConfig();
    config.setMethodsEndpointUrlPrefix(server.baseUrl() + SlackSandbox.API_PREFIX + "/");
    slack = Slack.getInstance(config);
    methods = slack.methods(TOKEN);
  }

  @AfterEach
  void stop() throws Exception {
    slack.close();
    server.close();
  }

  @Test
  void authTestAnswersWhoTheTokenIs() throws Exception {
    AuthTestResponse me = methods.authTest(r -> r);
    assertThat(me.isOk()).isTrue();
    assertThat(me.getTeamId()).isEqualTo(sandbox.options().teamId());
    assertThat(me.getUserId()).startsWith("U");
    assertThat(me.getBotId()).startsWith("B");
    assertThat(me.getUrl()).startsWith("https://");
    AuthTestResponse wrong = slack.methods("xoxb-wrong").authTest(r -> r);
    assertThat(wrong.isOk()).isFalse();
    assertThat(wrong.getError()).isEqualTo("invalid_auth");
    assertThat(slack.methods().apiTest(r -> r).isOk()).isTrue();
  }

  @Test
  void unknownMethodsAnswer200UnknownMethod() throws Exception {
    AuthTestResponse unknown = methods.postFormWithTokenAndParseResponse(form -> form, "no.such.method", TOKEN,
        AuthTestResponse.class);
    assertThat(unknown.isOk()).isFalse();
    assertThat(unknown.getError()).isEqualTo("unknown_method");
  }

  @Test
  void aChannelTakesABurstOfThreeThenRateLimitsWithRetryAfter() throws Exception {
    for (int i = 1; i <= 3; i++) {
      int n = i;
      ChatPostMessageResponse ok = methods.chatPostMessage(r -> r.channel("general").text("burst " + n));
      assertThat(ok.isOk()).as(ok.getError()).isTrue();
      assertThat(ok.getTs()).isNotBlank();
    }
    assertThatThrownBy(() -> methods.chatPostMessage(r -> r.channel("#general").text("one too many")))
        .isInstanceOfSatisfying(SlackApiException.class, e -> {
          assertThat(e.getResponse().code()).isEqualTo(429);
          assertThat(e.getResponse().header("Retry-After")).isEqualTo("1");
          assertThat(e.getError().getError()).isEqualTo("ratelimited");
        });
    clock.advance(Duration.ofSeconds(1));
    assertThat(methods.chatPostMessage(r -> r.channel("general").text("after a second")).isOk()).isTrue();
    assertThat(methods.chatPostMessage(r -> r.channel("nope").text("x")).getError()).isEqualTo("channel_not_found");
    assertThat(methods.chatPostMessage(r -> r.channel("archived-news").text("x")).getError()).isEqualTo("is_archived");
    assertThat(sandbox.messages("general")).hasSize(4);
  }

  @Test
  void incomingWebhooksAnswerOkOrTheirErrorWord() throws Exception {
    @SuppressWarnings("unchecked")
    Map<String, String> hooks = (Map<String, String>) sandbox.describe(server.baseUrl()).get("webhook_urls");
    WebhookResponse ok = slack.send(hooks.get("general"), "{\"text\":\"from a webhook\"}");
    assertThat(ok.getCode()).isEqualTo(200);
    assertThat(ok.getBody()).isEqualTo("ok");
    WebhookResponse archived = slack.send(hooks.get("archived-news"), "{\"text\":\"x\"}");
    assertThat(archived.getCode()).isEqualTo(410);
    assertThat(archived.getBody()).isEqualTo("channel_is_archived");
    WebhookResponse unknown = slack.send(server.baseUrl() + SlackSandbox.WEBHOOK_PREFIX + "/T1/B1/nope", "{\"text\":\"x\"}");
    assertThat(unknown.getCode()).isEqualTo(404);
    assertThat(unknown.getBody()).isEqualTo("no_service");
  }
}
