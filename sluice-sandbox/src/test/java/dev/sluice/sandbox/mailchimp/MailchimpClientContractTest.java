package dev.sluice.sandbox.mailchimp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.sandbox.FaultRule;
import dev.sluice.sandbox.ManualClock;
import dev.sluice.sandbox.NodeClients;
import dev.sluice.sandbox.Sandbox;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sandbox's Mailchimp as @mailchimp/mailchimp_marketing 3, Mailchimp's official Node client,
 * sees it. The script is {@code clients/mailchimp.mjs}; the members it reads 11 at a time are
 * slowed by a fault, so the 11th simultaneous request meets the 10-connection limit.
 */
class MailchimpClientContractTest {
  private static final String LIST = MailchimpOptions.DEFAULT_LIST_ID;
  private static final Instant NOW = Instant.parse("2026-03-11T15:00:00Z");
  private static Sandbox server;
  private static MailchimpSandbox sandbox;
  private static NodeClients.Report report;
  private static Instant since;
  private static Instant before;

  @BeforeAll
  static void driveWithTheOfficialClient() throws Exception {
    ManualClock clock = new ManualClock(NOW);
    sandbox = new MailchimpSandbox(MailchimpOptions.builder().build());
    server = Sandbox.builder().clock(clock).platform(sandbox).start();
    // Members changed at three times; the window [since, before) must hold only the middle one.
    List<MailchimpMember> members = sandbox.members(LIST);
    clock.advance(Duration.ofHours(1));
    since = clock.instant();
    sandbox.upsertMember(LIST, members.get(0).emailAddress(), null, Map.of("FNAME", "Middle"));
    clock.advance(Duration.ofHours(1));
    before = clock.instant();
    sandbox.upsertMember(LIST, members.get(1).emailAddress(), null, Map.of("FNAME", "Late"));
    String slowHash = members.get(2).id();
    server.faults().add(FaultRule.slow(Duration.ofSeconds(2), 1.0).onPath("/3.0/lists/" + LIST + "/members/" + slowHash));
    report = NodeClients.run("mailchimp.mjs", Map.of(
        "MC_BASE", server.baseUrl() + "/3.0", "MC_KEY", MailchimpOptions.DEFAULT_API_KEY, "MC_LIST", LIST,
        "MC_SINCE", since.toString(), "MC_BEFORE", before.toString(), "MC_SLOW_HASH", slowHash,
        "MC_CONCURRENT", "11"), 120);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void theEleventhSimultaneousRequestIs429WithMailchimpsProblem() {
    List<JsonNode> refused = new ArrayList<>();
    int served = 0;
    for (JsonNode r : report.ok("concurrent")) {
      if (r.isInt()) {
        served++;
      } else {
        refused.add(r);
      }
    }
    assertThat(served).isEqualTo(10);
    assertThat(refused).hasSize(1);
    assertThat(refused.get(0).path("status").asInt()).isEqualTo(429);
    assertThat(refused.get(0).path("type").asText()).isEqualTo("application/problem+json");
    assertThat(refused.get(0).path("title").asText()).isEqualTo("Too Many Requests");
    assertThat(sandbox.tooManyRequestsCount()).isEqualTo(1);
    assertThat(sandbox.inFlightRequests()).isZero();
  }

  @Test
  void addThenArchiveAMember() {
    assertThat(report.ok("ping").path("health_status").asText()).isEqualTo("Everything's Chimpy!");
    assertThat(report.ok("add").path("status").asText()).isEqualTo("subscribed");
    JsonNode exists = report.failed("addAgain");
    assertThat(exists.path("status").asInt()).isEqualTo(400);
    assertThat(exists.path("title").asText()).isEqualTo("Member Exists");
    assertThat(report.ok("archive").isNull()).isTrue();
    assertThat(report.ok("readArchived").asText()).isEqualTo("archived");
    assertThat(report.ok("readdArchived").asText()).isEqualTo("pending");
    assertThat(report.failed("archiveUnknown").path("status").asInt()).isEqualTo(404);
  }

  @Test
  void unknownEndpointsAnswerMailchimpsProblem() {
    JsonNode unknown = report.failed("unknownEndpoint");
    assertThat(unknown.path("status").asInt()).isEqualTo(404);
    assertThat(unknown.path("title").asText()).isEqualTo("Resource Not Found");
  }

  @Test
  void fieldsRestrictTheAnswer() {
    JsonNode page = report.ok("fields");
    List<String> top = new ArrayList<>();
    page.fieldNames().forEachRemaining(top::add);
    assertThat(top).containsExactlyInAnyOrder("members", "total_items");
    assertThat(page.path("members")).hasSize(3).allSatisfy(m -> {
      List<String> names = new ArrayList<>();
      m.fieldNames().forEachRemaining(names::add);
      assertThat(names).containsExactlyInAnyOrder("email_address", "status");
    });
    assertThat(report.ok("excludeFields")).extracting(JsonNode::asText)
        .contains("email_address", "status").doesNotContain("merge_fields", "_links");
  }

  @Test
  void beforeLastChangedAndSinceLastChangedBoundTheWindow() {
    JsonNode window = report.ok("window");
    assertThat(window).hasSize(1);
    assertThat(Instant.parse(window.get(0).asText().replace("+00:00", "Z"))).isEqualTo(since);
  }
}
