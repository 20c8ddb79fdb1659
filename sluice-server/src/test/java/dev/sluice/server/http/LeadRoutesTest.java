package dev.sluice.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.postgres.TestDatabase;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import dev.sluice.sandbox.hubspot.HubSpotOptions;
import dev.sluice.sandbox.hubspot.HubSpotTier;
import dev.sluice.server.config.Secret;
import dev.sluice.server.config.SluiceConfig;
import dev.sluice.server.runtime.SluiceRuntime;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** POST /v1/leads and the admin reads over real HTTP, with the drain into the sandbox HubSpot. */
class LeadRoutesTest {
  static final String TOKEN = "admin-token-for-lead-tests";
  static final String WEB_KEY = "lk_web_0123456789abcdef";
  static final String STRICT_KEY = "lk_strict_0123456789abcd";
  static final ObjectMapper JSON = new ObjectMapper();
  static TestDatabase db;
  static Sandbox sandbox;
  static SluiceRuntime runtime;
  static ApiServer server;

  @BeforeAll
  static void start() {
    db = TestDatabase.create("server_leads", 20);
    sandbox = Sandbox.builder().hubspot(HubSpotOptions.builder().tier(HubSpotTier.PROFESSIONAL).build()).start();
    SluiceConfig config = SluiceConfig.parse("""
        connections:
          hubspot-main:
            platform: hubspot
            base_url: %s
            token: ${HUBSPOT_TOKEN}
        leads:
          sources:
            web:
              key: ${WEB_KEY}
              destination: hubspot-main
              origins: [https://www.example.com]
              thank_you_url: https://www.example.com/thanks
              mapping:
                first_name: firstname
            strict:
              key: ${STRICT_KEY}
              strict: true
              fields: [firstname]
              honeypot: website
              per_ip_per_minute: 5
        """.formatted(sandbox.baseUrl()), Map.of("HUBSPOT_TOKEN", sandbox.hubspot().token(), "WEB_KEY", WEB_KEY, "STRICT_KEY", STRICT_KEY));
    runtime = SluiceRuntime.on(config, db.dataSource(), Clock.systemUTC());
    runtime.startWorkers(2);
    server = ApiServer.start(new ApiServer.Settings("127.0.0.1", 0, Secret.of(TOKEN, "test")), config,
        runtime.engine(), runtime.queue(), runtime.dataSource(), runtime.leads());
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
    if (runtime != null) runtime.close();
    if (sandbox != null) sandbox.close();
    if (db != null) db.close();
  }

  /** Every exchange goes through ApiCalls, so it is checked against openapi.yaml. */
  static ApiCalls.Answer send(String method, String path, String contentType, String body, Map<String, String> headers) throws Exception {
    ApiCalls.Call c = ApiCalls.to(server.url(), method, path);
    headers.forEach(c::header);
    if (body != null) c.body(contentType, body);
    return c.send();
  }

  static ApiCalls.Answer postJson(String key, String body) throws Exception {
    return send("POST", "/v1/leads", "application/json", body, key == null ? Map.of() : Map.of("X-Sluice-Lead-Key", key));
  }

  static ApiCalls.Answer admin(String path) throws Exception {
    return send("GET", path, null, null, Map.of("Authorization", "Bearer " + TOKEN));
  }

  static long total() throws Exception {
    JsonNode t = admin("/v1/leads/stats").body().get("total");
    long n = 0;
    for (JsonNode v : t) n += v.asLong();
    return n;
  }

  @Test
  void aJsonLeadIsAcceptedDeduplicatedAndDrainedIntoTheCrm() throws Exception {
    ApiCalls.Answer first = postJson(WEB_KEY, "{\"email\":\"Ann@Example.com\",\"first_name\":\"Ann\",\"company\":\"Acme\"}");
    assertThat(first.status()).isEqualTo(202);
    assertThat(first.body().get("duplicate").asBoolean()).isFalse();
    long id = first.body().get("lead_id").asLong();
    ApiCalls.Answer again = postJson(WEB_KEY, "{\"email\":\" ann@example.com \",\"first_name\":\"\",\"company\":\"Acme Corp\"}");
    assertThat(again.status()).isEqualTo(202);
    assertThat(again.body().get("lead_id").asLong()).isEqualTo(id);
    assertThat(again.body().get("duplicate").asBoolean()).isTrue();

    await().atMost(Duration.ofSeconds(30)).until(() -> admin("/v1/leads/" + id).body().get("state").asText().equals("sent"));
    JsonNode lead = admin("/v1/leads/" + id).body();
    assertThat(lead.get("fields").get("company").asText()).isEqualTo("Acme Corp");
    assertThat(lead.get("fields").get("first_name").asText()).isEqualTo("Ann");
    String crmId = lead.get("crm_id").asText();
    assertThat(sandbox.hubspot().record(HubSpotObjectType.CONTACTS, crmId).orElseThrow().property("firstname")).isEqualTo("Ann");
    assertThat(admin("/v1/leads?state=sent&source=web").body().get("leads").findValuesAsText("lead_id")).contains(Long.toString(id));
    assertThat(admin("/v1/leads/stats").body().get("by_source").get("web").get("sent").asLong()).isPositive();
  }

  @Test
  void keysAreNotTheAdminTokenAndTheAdminTokenIsNotAKey() throws Exception {
    assertThat(postJson(TOKEN, "{\"email\":\"x@example.com\"}").status()).isEqualTo(401);
    assertThat(postJson(null, "{\"email\":\"x@example.com\"}").body().get("error").asText()).contains("missing intake key");
    assertThat(send("GET", "/v1/leads", null, null, Map.of("X-Sluice-Lead-Key", WEB_KEY)).status()).isEqualTo(401);
    assertThat(send("GET", "/v1/leads/stats", null, null, Map.of("Authorization", "Bearer " + WEB_KEY)).status()).isEqualTo(401);
    assertThat(admin("/v1/leads/999999").status()).isEqualTo(404);
    assertThat(admin("/v1/leads?state=lost").status()).isEqualTo(400);
  }

  @Test
  void badLeadsAreRefusedWithAReasonAndNothingIsStored() throws Exception {
    long before = total();
    assertThat(postJson(STRICT_KEY, "{\"firstname\":\"No Mail\"}").body().get("error").asText()).isEqualTo("email is required");
    assertThat(postJson(STRICT_KEY, "{\"email\":\"nope\"}").status()).isEqualTo(400);
    assertThat(postJson(STRICT_KEY, "{\"email\":\"a@example.com\",\"shoe_size\":\"44\"}").body().get("error").asText())
        .contains("unknown field 'shoe_size'");
    assertThat(postJson(STRICT_KEY, "{\"email\":\"bot@example.com\",\"website\":\"http://spam\"}").status()).isEqualTo(400);
    assertThat(postJson(WEB_KEY, "{\"email\":\"a@example.com\",\"nested\":{\"x\":1}}").status()).isEqualTo(400);
    assertThat(postJson(WEB_KEY, "{\"email\":").status()).isEqualTo(400);
    assertThat(postJson(WEB_KEY, "{\"email\":\"big@example.com\",\"note\":\"" + "x".repeat(70_000) + "\"}").status()).isEqualTo(413);
    assertThat(send("POST", "/v1/leads", "text/plain", "email=a@example.com", Map.of("X-Sluice-Lead-Key", WEB_KEY)).status()).isEqualTo(415);
    assertThat(total()).isEqualTo(before);
  }

  @Test
  void aPlainHtmlFormIsRedirectedToTheThankYouPageAfterTheCommit() throws Exception {
    ApiCalls.Answer r = send("POST", "/v1/leads", "application/x-www-form-urlencoded",
        "_key=" + WEB_KEY + "&_redirect=1&email=form.person%40example.com&first_name=Form&_hp=", Map.of("Origin", "https://www.example.com"));
    assertThat(r.status()).isEqualTo(303);
    assertThat(r.raw().headers().firstValue("Location")).contains("https://www.example.com/thanks");
    JsonNode listed = admin("/v1/leads?source=web&limit=1000").body().get("leads");
    assertThat(listed.findValuesAsText("email")).contains("form.person@example.com");
    ApiCalls.Answer plain = send("POST", "/v1/leads", "application/x-www-form-urlencoded", "_key=" + WEB_KEY + "&email=form.person%40example.com",
        Map.of());
    assertThat(plain.status()).isEqualTo(202);
    assertThat(plain.body().get("duplicate").asBoolean()).isTrue();
  }

  @Test
  void browsersGetCorsForTheSourcesOriginsOnly() throws Exception {
    ApiCalls.Answer pre = send("OPTIONS", "/v1/leads", null, null, Map.of("Origin", "https://www.example.com",
        "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type, x-sluice-lead-key"));
    assertThat(pre.status()).isEqualTo(204);
    assertThat(pre.raw().headers().firstValue("Access-Control-Allow-Origin")).contains("https://www.example.com");
    assertThat(pre.raw().headers().firstValue("Access-Control-Allow-Headers").orElse("")).contains("X-Sluice-Lead-Key");
    assertThat(send("OPTIONS", "/v1/leads", null, null, Map.of("Origin", "https://evil.example")).status()).isEqualTo(403);
    ApiCalls.Answer ok = send("POST", "/v1/leads", "application/json", "{\"email\":\"cors@example.com\"}",
        Map.of("Origin", "https://www.example.com", "X-Sluice-Lead-Key", WEB_KEY));
    assertThat(ok.status()).isEqualTo(202);
    assertThat(ok.raw().headers().firstValue("Access-Control-Allow-Origin")).contains("https://www.example.com");
    assertThat(send("POST", "/v1/leads", "application/json", "{\"email\":\"cors@example.com\"}",
        Map.of("Origin", "https://evil.example", "X-Sluice-Lead-Key", WEB_KEY)).status()).isEqualTo(403);
  }

  @Test
  void oneAddressPostingTooFastIsAnswered429WithRetryAfter() throws Exception {
    int accepted = 0;
    ApiCalls.Answer limited = null;
    for (int i = 0; i < 10 && limited == null; i++) {
      ApiCalls.Answer a = postJson(STRICT_KEY, "{\"email\":\"rate" + i + "@example.com\"}");
      if (a.status() == 429) limited = a;
      else if (a.status() == 202) accepted++;
    }
    assertThat(limited).isNotNull();
    assertThat(accepted).isLessThanOrEqualTo(5);
    assertThat(Integer.parseInt(limited.raw().headers().firstValue("Retry-After").orElseThrow())).isBetween(1, 60);
    assertThat(limited.body().get("error").asText()).contains("too many leads");
  }
}
