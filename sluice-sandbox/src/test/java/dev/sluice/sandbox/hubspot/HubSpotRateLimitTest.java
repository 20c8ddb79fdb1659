package dev.sluice.sandbox.hubspot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.sandbox.ManualClock;
import dev.sluice.sandbox.Sandbox;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The private-app limits, with a clock the test moves (no sleeping). */
class HubSpotRateLimitTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2026-03-02T10:00:00Z"));
  private Sandbox sandbox;

  private Http start(HubSpotOptions options) {
    sandbox = Sandbox.builder().port(0).clock(clock).hubspot(options).start();
    return new Http(sandbox.baseUrl(), sandbox.hubspot().token());
  }

  @AfterEach
  void stop() {
    if (sandbox != null) sandbox.close();
  }

  @Test
  void the101stCallWithinTenSecondsAtStarterIs429() throws Exception {
    Http http = start(HubSpotOptions.builder().tier(HubSpotTier.STARTER).build());
    for (int i = 0; i < 100; i++) {
      Http.Response r = http.get("/crm/v3/objects/contacts");
      assertThat(r.status()).as("call %d", i + 1).isEqualTo(200);
      assertThat(r.header("X-HubSpot-RateLimit-Max")).isEqualTo("100");
      assertThat(r.header("X-HubSpot-RateLimit-Remaining")).isEqualTo(Integer.toString(99 - i));
      assertThat(r.header("X-HubSpot-RateLimit-Interval-Milliseconds")).isEqualTo("10000");
      assertThat(r.header("X-HubSpot-RateLimit-Daily")).isEqualTo("250000");
      assertThat(r.header("X-HubSpot-RateLimit-Daily-Remaining")).isEqualTo(Long.toString(250_000 - 1 - i));
      if (i % 10 == 9) clock.advance(Duration.ofMillis(900)); // 100 calls spread over 9 s
    }
    Http.Response limited = http.get("/crm/v3/objects/contacts");
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.header("Content-Type")).startsWith("application/json");
    assertThat(limited.header("Retry-After")).isNull();
    JsonNode body = limited.json();
    assertThat(body.get("status").asText()).isEqualTo("error");
    assertThat(body.get("message").asText()).isEqualTo("You have reached your ten_secondly_rolling limit.");
    assertThat(body.get("errorType").asText()).isEqualTo("RATE_LIMIT");
    assertThat(body.get("policyName").asText()).isEqualTo("TEN_SECONDLY_ROLLING");
    assertThat(body.get("correlationId").asText()).isNotBlank();
    assertThat(sandbox.counters().tooManyRequestsServed()).isEqualTo(1);

    // Rolling: once the first ten calls are 10 s old, ten more fit, and no more.
    clock.advance(Duration.ofMillis(1_000));
    for (int i = 0; i < 10; i++) assertThat(http.get("/crm/v3/objects/contacts").status()).isEqualTo(200);
    assertThat(http.get("/crm/v3/objects/contacts").status()).isEqualTo(429);
  }

  @Test
  void professionalAllows190AndRetryAfterIsOptional() throws Exception {
    Http http = start(HubSpotOptions.builder().tier(HubSpotTier.PROFESSIONAL).sendRetryAfter(true).build());
    for (int i = 0; i < 190; i++) assertThat(http.get("/crm/v3/objects/companies").status()).isEqualTo(200);
    Http.Response limited = http.get("/crm/v3/objects/companies");
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.header("Retry-After")).isEqualTo("10");
    assertThat(limited.header("X-HubSpot-RateLimit-Remaining")).isEqualTo("0");
  }

  @Test
  void dailyCapAnswersDailyPolicyUntilMidnightUtc() throws Exception {
    Http http = start(HubSpotOptions.builder().customLimits(1_000, 5).build());
    for (int i = 0; i < 5; i++) assertThat(http.get("/crm/v3/objects/deals").status()).isEqualTo(200);
    Http.Response limited = http.get("/crm/v3/objects/deals");
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.json().get("policyName").asText()).isEqualTo("DAILY");
    assertThat(limited.header("X-HubSpot-RateLimit-Daily-Remaining")).isEqualTo("0");
    clock.advance(Duration.ofHours(14)); // 2026-03-03T00:00Z
    assertThat(http.get("/crm/v3/objects/deals").status()).isEqualTo(200);
  }

  @Test
  void searchHasItsOwnPerSecondLimitAndNoHeaders() throws Exception {
    Http http = start(HubSpotOptions.builder().tier(HubSpotTier.STARTER).build());
    for (int i = 0; i < 5; i++) {
      Http.Response r = http.post("/crm/v3/objects/contacts/search", "{}");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.header("X-HubSpot-RateLimit-Remaining")).isNull();
    }
    Http.Response limited = http.post("/crm/v3/objects/contacts/search", "{}");
    assertThat(limited.status()).isEqualTo(429);
    JsonNode body = limited.json();
    assertThat(body.get("message").asText()).isEqualTo("You have reached your secondly limit.");
    assertThat(body.get("category").asText()).isEqualTo("RATE_LIMITS");
    assertThat(body.has("policyName")).isFalse();
    assertThat(limited.header("X-HubSpot-RateLimit-Max")).isNull();
    // Searches did not use the 10-second budget.
    assertThat(http.get("/crm/v3/objects/contacts").header("X-HubSpot-RateLimit-Remaining")).isEqualTo("99");
    clock.advance(Duration.ofSeconds(1));
    assertThat(http.post("/crm/v3/objects/contacts/search", "{}").status()).isEqualTo(200);
  }

  @Test
  void v4BatchCallsDoNotCountAgainstTheTenSecondWindow() throws Exception {
    Http http = start(HubSpotOptions.builder().tier(HubSpotTier.STARTER).build());
    for (int i = 0; i < 150; i++) {
      assertThat(http.post("/crm/v4/associations/contacts/companies/batch/read", "{\"inputs\":[]}").status()).isEqualTo(200);
    }
    assertThat(http.get("/crm/v3/objects/contacts").header("X-HubSpot-RateLimit-Remaining")).isEqualTo("99");
  }

  @Test
  void v4BatchReadsCarryOnlyTheDailyHeadersUnlessCountedInTheWindow() throws Exception {
    Http http = start(HubSpotOptions.builder().tier(HubSpotTier.STARTER).build());
    Http.Response outside = http.post("/crm/v4/associations/contacts/companies/batch/read", "{\"inputs\":[]}");
    assertThat(outside.header("X-HubSpot-RateLimit-Remaining")).isNull();
    assertThat(outside.header("X-HubSpot-RateLimit-Daily-Remaining")).isEqualTo("249999");
    stop();

    http = start(HubSpotOptions.builder().tier(HubSpotTier.STARTER).associationReadsInTenSecondWindow(true).build());
    for (int i = 0; i < 100; i++) {
      Http.Response r = http.post("/crm/v4/associations/contacts/companies/batch/read", "{\"inputs\":[]}");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.header("X-HubSpot-RateLimit-Remaining")).isEqualTo(Integer.toString(99 - i));
    }
    Http.Response limited = http.post("/crm/v4/associations/contacts/companies/batch/read", "{\"inputs\":[]}");
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.json().get("policyName").asText()).isEqualTo("TEN_SECONDLY_ROLLING");
    // Batch writes of associations stay outside the window.
    assertThat(http.post("/crm/v4/associations/contacts/companies/batch/create", "{\"inputs\":[]}").status()).isNotEqualTo(429);
  }

  @Test
  void theDayStartsAtMidnightInThePortalsTimeZone() throws Exception {
    // 10:00 UTC is 19:00 in Tokyo: the portal's day ends at 15:00 UTC, not at UTC midnight.
    Http http = start(HubSpotOptions.builder().customLimits(1_000, 3).portalTimeZone(java.time.ZoneId.of("Asia/Tokyo")).build());
    for (int i = 0; i < 3; i++) assertThat(http.get("/crm/v3/objects/deals").status()).isEqualTo(200);
    assertThat(http.get("/crm/v3/objects/deals").status()).isEqualTo(429);
    clock.set(Instant.parse("2026-03-02T14:59:59Z"));
    assertThat(http.get("/crm/v3/objects/deals").status()).isEqualTo(429);
    clock.set(Instant.parse("2026-03-02T15:00:00Z"));
    assertThat(http.get("/crm/v3/objects/deals").status()).isEqualTo(200);
    assertThat(sandbox.hubspot().countDailyCalls(sandbox.hubspot().token(), 1)).isEqualTo(1);
  }

  @Test
  void eachTokenHasItsOwnBudget() throws Exception {
    Http http = start(HubSpotOptions.builder().customLimits(3, 1000).extraToken("pat-second").build());
    for (int i = 0; i < 3; i++) http.get("/crm/v3/objects/contacts");
    assertThat(http.get("/crm/v3/objects/contacts").status()).isEqualTo(429);
    assertThat(new Http(sandbox.baseUrl(), "pat-second").get("/crm/v3/objects/contacts").status()).isEqualTo(200);
  }
}
