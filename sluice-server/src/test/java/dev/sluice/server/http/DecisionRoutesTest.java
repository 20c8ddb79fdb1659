package dev.sluice.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.inbound.InboundEvents;
import dev.sluice.inbound.InboundRequest;
import dev.sluice.inbound.StoredEvent;
import dev.sluice.inbound.WebhookSender;
import dev.sluice.inbound.WebhookSources;
import dev.sluice.postgres.TestDatabase;
import dev.sluice.server.config.ConfigException;
import dev.sluice.server.config.Secret;
import dev.sluice.server.config.SluiceConfig;
import dev.sluice.server.http.ApiCalls.Answer;
import dev.sluice.server.runtime.SluiceRuntime;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rules:} in sluice.yaml: loaded at start (a broken file refuses it), and GET /v1/events/{id}/decisions. */
class DecisionRoutesTest {
  static final String TOKEN = "test-api-token-decisions-0123456789";

  @Test
  void aBrokenRulesFileRefusesTheStartWithFileLineAndRule(@TempDir Path dir) throws Exception {
    Path rules = dir.resolve("deals.yaml");
    Files.writeString(rules, """
        rules:
          deal-placed:
            on: hs/deal.propertyChange
            when: record.dealstage == placement
            actions:
              - slack.post: {connection: slack-ops, channel: ops, text: hi}
        """);
    Path yaml = dir.resolve("sluice.yaml");
    Files.writeString(yaml, "rules:\n  files: [deals.yaml]\n  slack:\n    slack-ops: {bot_token: xoxb-test}\n");
    SluiceConfig config = SluiceConfig.load(yaml, Map.of());
    try (TestDatabase db = TestDatabase.create("rules_refuse", 2)) {
      assertThatThrownBy(() -> SluiceRuntime.on(config, db.dataSource(), Clock.systemUTC()))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining(rules + ":4: rule 'deal-placed': when: CEL: ")
          .hasMessageContaining("placement");
    }
  }

  @Test
  void decisionsOfAStoredEventAreServedAsDocumented(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("deals.yaml"), """
        rules:
          deal-placed:
            on: hs/deal.propertyChange
            when: event.property == "dealstage" && record.dealstage == "placement"
            actions:
              - slack.post: {connection: slack-ops, channel: ops, text: "deal {{event.object_id}} placed"}
            shadow: true
        """);
    Path yaml = dir.resolve("sluice.yaml");
    Files.writeString(yaml, "rules:\n  files: [deals.yaml]\n  slack:\n    slack-ops: {bot_token: xoxb-test, base_url: 'http://127.0.0.1:9/api'}\n");
    SluiceConfig config = SluiceConfig.load(yaml, Map.of());
    try (TestDatabase db = TestDatabase.create("rules_routes", 4);
         SluiceRuntime runtime = SluiceRuntime.on(config, db.dataSource(), Clock.systemUTC());
         InboundEvents inbound = InboundEvents.builder(db.dataSource(), runtime.queue(), WebhookSources.builder().hubspot("hs", "app-secret").build())
             .schema(SluiceRuntime.SCHEMA).build().migrate();
         ApiServer server = ApiServer.start(new ApiServer.Settings("127.0.0.1", 0, Secret.of(TOKEN, "test")), config,
             runtime.engine(), runtime.queue(), runtime.dataSource())) {
      assertThat(runtime.rules().rules().names()).containsExactly("deal-placed");
      inbound.receive(WebhookSender.HUBSPOT, "hs", hubspot("[{\"objectId\":5,\"propertyName\":\"dealstage\",\"propertyValue\":\"placement\","
          + "\"eventId\":1,\"subscriptionId\":1,\"portalId\":3,\"appId\":7,\"occurredAt\":1765076400000,\"subscriptionType\":\"deal.propertyChange\"}]"));
      StoredEvent e = inbound.list(dev.sluice.inbound.EventFilter.all(10)).get(0);
      runtime.rules().evaluate(e);

      Answer a = ApiCalls.call(server.url(), "GET", "/v1/events/" + e.id() + "/decisions", null, TOKEN);
      assertThat(a.status()).isEqualTo(200);
      assertThat(a.body().path("decisions")).hasSize(1);
      assertThat(a.body().path("decisions").get(0).path("outcome").asText()).isEqualTo("shadowed");
      assertThat(a.body().path("decisions").get(0).path("inputs").path("record").path("dealstage").asText()).isEqualTo("placement");
      assertThat(ApiCalls.call(server.url(), "GET", "/v1/events/999999/decisions", null, TOKEN).status()).isEqualTo(404);
      assertThat(ApiCalls.call(server.url(), "GET", "/v1/events/abc/decisions", null, TOKEN).status()).isEqualTo(400);
    }
  }

  static InboundRequest hubspot(String body) throws Exception {
    String ts = Long.toString(System.currentTimeMillis());
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec("app-secret".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String sig = Base64.getEncoder().encodeToString(mac.doFinal(("POST" + "http://sluice.test/hooks/hubspot/hs" + body + ts).getBytes(StandardCharsets.UTF_8)));
    return new InboundRequest("POST", "/hooks/hubspot/hs", null,
        Map.of("Host", "sluice.test", "X-HubSpot-Signature-v3", sig, "X-HubSpot-Request-Timestamp", ts), body.getBytes(StandardCharsets.UTF_8));
  }
}
