package dev.sluice.server.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.inbound.InboundRequest;
import dev.sluice.inbound.WebhookSender;
import dev.sluice.postgres.TestDatabase;
import dev.sluice.rules.Decision;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.slack.SlackMessage;
import dev.sluice.sandbox.slack.SlackOptions;
import dev.sluice.sandbox.slack.SlackSandbox;
import dev.sluice.sandbox.sheets.SheetsOptions;
import dev.sluice.sandbox.sheets.SheetsSandbox;
import dev.sluice.server.config.SluiceConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server's inbound-event jobs run the config's rules: a deal-stage webhook delivered twice posts one Slack message and appends one sheet row. */
class RulesWiringTest {
  static final String APP_SECRET = "hubspot-app-secret-rules";

  @Test
  void aWebhookDeliveredTwicePostsOneSlackMessage(@TempDir Path dir) throws Exception {
    SlackSandbox slack = new SlackSandbox(SlackOptions.builder().channel("placements", false).build());
    SheetsSandbox sheets = new SheetsSandbox(SheetsOptions.defaults());
    try (Sandbox sandbox = Sandbox.builder().platform(slack).platform(sheets).start(); TestDatabase db = TestDatabase.create("rules_wiring", 8)) {
      Files.writeString(dir.resolve("deals.yaml"), """
          rules:
            deal-placed:
              on: hs/deal.propertyChange
              when: event.property == "dealstage" && record.dealstage == "placement"
              actions:
                - slack.post: {connection: slack-ops, channel: placements, text: "deal {{event.object_id}} placed"}
                - sheets.append: {connection: finance, spreadsheet: %s, range: "Sheet1!A:B", values: ["{{event.object_id}}", placed]}
              dedupe: '"deal:" + event.object_id + ":placement"'
          """.formatted(SheetsOptions.DEFAULT_SPREADSHEET_ID));
      Files.writeString(dir.resolve("sluice.yaml"), """
          connections:
            hs:
              platform: hubspot
              base_url: http://127.0.0.1:9
              token: not-used
              objects: [deals]
              webhooks:
                app_secret: %s
            finance:
              platform: google_sheets
              base_url: '%s'
              token: %s
              limits: {write_requests_per_minute: 30}
          rules:
            files: [deals.yaml]
            slack:
              slack-ops: {bot_token: %s, base_url: '%s/api'}
          """.formatted(APP_SECRET, sandbox.baseUrl(), sheets.token(), SlackOptions.DEFAULT_BOT_TOKEN, sandbox.baseUrl()));
      SluiceConfig config = SluiceConfig.load(dir.resolve("sluice.yaml"), Map.of());
      try (SluiceRuntime runtime = SluiceRuntime.on(config, db.dataSource(), Clock.systemUTC())) {
        runtime.inbound().receive(WebhookSender.HUBSPOT, "hs", hubspot(1));
        runtime.inbound().receive(WebhookSender.HUBSPOT, "hs", hubspot(1)); // HubSpot's retry
        runtime.inbound().receive(WebhookSender.HUBSPOT, "hs", hubspot(2)); // same change under a second event id
        runtime.startWorkers(2);
        List<Long> ids = runtime.inbound().list(dev.sluice.inbound.EventFilter.all(10)).stream().map(e -> e.id()).toList();
        assertThat(ids).hasSize(2);
        await().atMost(Duration.ofSeconds(30)).until(() -> ids.stream().allMatch(id -> runtime.rules().decisions(id).size() == 1)
            && !slack.messages("placements").isEmpty());
        assertThat(ids.stream().map(id -> runtime.rules().decisions(id).get(0).outcome()))
            .containsExactlyInAnyOrder("enqueued", "deduped");
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> slack.messages("placements").size() == 1);
        assertThat(slack.messages("placements")).extracting(SlackMessage::text).containsExactly("deal 77 placed");
        await().atMost(Duration.ofSeconds(30)).until(() -> !sheets.rows(SheetsOptions.DEFAULT_SPREADSHEET_ID, "Sheet1").isEmpty());
        assertThat(sheets.rows(SheetsOptions.DEFAULT_SPREADSHEET_ID, "Sheet1")).singleElement()
            .satisfies(row -> assertThat(row.subList(0, 2)).containsExactly(77L, "placed"));
        assertThat(runtime.rateLimits().snapshot("finance:write_minute").limit().capacity()).isEqualTo(30); // the override
        assertThat(runtime.rateLimits().snapshot("finance:write_minute").grantedTotal()).isEqualTo(1);      // one append, one permit
      }
    }
  }

  static InboundRequest hubspot(long eventId) throws Exception {
    String body = "[{\"objectId\":77,\"propertyName\":\"dealstage\",\"propertyValue\":\"placement\",\"eventId\":" + eventId
        + ",\"subscriptionId\":1,\"portalId\":3,\"appId\":7,\"occurredAt\":1765076400000,\"subscriptionType\":\"deal.propertyChange\"}]";
    String ts = Long.toString(System.currentTimeMillis());
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(APP_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String sig = Base64.getEncoder().encodeToString(mac.doFinal(("POST" + "http://sluice.test/hooks/hubspot/hs" + body + ts).getBytes(StandardCharsets.UTF_8)));
    return new InboundRequest("POST", "/hooks/hubspot/hs", null,
        Map.of("Host", "sluice.test", "X-HubSpot-Signature-v3", sig, "X-HubSpot-Request-Timestamp", ts), body.getBytes(StandardCharsets.UTF_8));
  }
}
