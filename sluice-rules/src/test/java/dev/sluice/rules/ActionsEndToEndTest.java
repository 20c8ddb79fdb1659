package dev.sluice.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectorFactory;
import dev.sluice.connectors.RateLimitSpec;
import dev.sluice.inbound.InboundEvents;
import dev.sluice.inbound.InboundRequest;
import dev.sluice.inbound.WebhookSender;
import dev.sluice.inbound.WebhookSources;
import dev.sluice.postgres.TestDatabase;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.JobState;
import dev.sluice.queue.JobWorker;
import dev.sluice.queue.ratelimit.RateLimits;
import dev.sluice.sandbox.ManualClock;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import dev.sluice.sandbox.hubspot.HubSpotOptions;
import dev.sluice.sandbox.slack.SlackMessage;
import dev.sluice.sandbox.slack.SlackOptions;
import dev.sluice.sandbox.slack.SlackSandbox;
import dev.sluice.sandbox.sheets.SheetsOptions;
import dev.sluice.sandbox.sheets.SheetsSandbox;
import dev.sluice.sandbox.smtp.SmtpOptions;
import dev.sluice.sandbox.smtp.SmtpSandbox;
import dev.sluice.sandbox.smtp.StoredMail;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * End to end against the sandbox: signed HubSpot deal-stage webhooks, each delivered twice and once
 * more under a new event id (HubSpot's retry and a second subscription) → the inbound store → the
 * rules → one Slack message, one HubSpot task (owner, associated to the deal), one email (over
 * real SMTP to the sandbox's mail server) and one Google Sheets row per deal. Then the
 * process "restarts" (engine, inbound store and worker made anew on the same database) and the same
 * changes arrive again under new event ids: the dedupe keys hold, nothing more is sent.
 */
class ActionsEndToEndTest {
  static final String APP_SECRET = "hubspot-app-secret";
  static final String RULES = """
      rules:
        deal-placed:
          on: hs/deal.propertyChange
          when: event.property == "dealstage" && event.value == "placement"
          dedupe: '"deal:" + event.object_id + ":placement"'
          dedupe_window: 30d
          actions:
            - slack.post: {connection: slack-ops, channel: placements, text: "deal {{event.object_id}} placed"}
            - hubspot.task: {connection: hs, subject: "Draft invoice for deal {{event.object_id}}", owner: "42", associate: deal}
      """;
  /** {@link #RULES} with an email to finance and a row in the placements sheet for each placed deal. */
  static final String RULES_WITH_EMAIL_AND_SHEET = RULES + """
            - email.send: {connection: mail, to: "finance@agency.example", subject: "Deal {{event.object_id}} placed", text: "Invoice deal {{event.object_id}}"}
            - sheets.append: {connection: ledger, spreadsheet: %s, range: "Sheet1!A:B", values: ["{{event.object_id}}", "placed"], key_column: C}
      """.formatted(SheetsOptions.DEFAULT_SPREADSHEET_ID);

  TestDatabase db;
  ManualClock clock = new ManualClock(Instant.parse("2026-12-07T11:00:00Z"));
  JobQueue queue;
  Sandbox sandbox;
  SlackSandbox slack;
  SmtpSandbox smtp;
  SheetsSandbox sheets;
  InboundEvents inbound;
  JobWorker worker;

  @AfterEach
  void tearDown() {
    if (worker != null) worker.close();
    if (inbound != null) inbound.close();
    if (sandbox != null) sandbox.close();
    if (db != null) db.close();
  }

  /** One "process": an inbound store, a rules engine with its actions, a worker. */
  void start() {
    if (worker != null) worker.close();
    if (inbound != null) inbound.close();
    inbound = inbound(queue, clock).migrate();
    ConnectorFactory factory = new ConnectorFactory(new RateLimits(queue.dataSource(), queue.schema(), clock), clock);
    ConnectionConfig ledger = ConnectionConfig.builder("ledger", "google_sheets").baseUrl(URI.create(sandbox.baseUrl()))
        .token(sheets.token(), "SHEETS_TOKEN").build();
    RulesEngine engine = engine(queue, clock, sandbox.baseUrl(), sandbox.hubspot().token(), RULES_WITH_EMAIL_AND_SHEET,
        t -> t.smtp(new SmtpConnection("mail", smtp.host(), smtp.port(), SmtpOptions.DEFAULT_USERNAME, SmtpOptions.DEFAULT_PASSWORD,
            SmtpConnection.Security.NONE, "Sluice <ops@agency.example>", 6_000))
            .sheets(ledger, () -> factory.gate(ledger))).migrate();
    JobWorker.Builder b = queue.worker().concurrency(3).pollInterval(Duration.ofMillis(20));
    inbound.onEvent(engine::evaluate);
    inbound.registerHandlers(b);
    engine.registerHandlers(b);
    worker = b.start();
  }

  /** The webhook store of one process: HubSpot events of connection {@code hs}. */
  static InboundEvents inbound(JobQueue queue, Clock clock) {
    return InboundEvents.builder(queue.dataSource(), queue, WebhookSources.builder().hubspot("hs", APP_SECRET).build()).clock(clock).build();
  }

  /** The rules engine of one process: {@link #RULES}, posting to the sandbox's Slack and creating tasks in its HubSpot portal. */
  static RulesEngine engine(JobQueue queue, Clock clock, String sandboxUrl, String hubspotToken) {
    return engine(queue, clock, sandboxUrl, hubspotToken, RULES, t -> { });
  }

  /** The same with another rules file and more action targets. */
  static RulesEngine engine(JobQueue queue, Clock clock, String sandboxUrl, String hubspotToken, String rules,
                            java.util.function.Consumer<ActionTargets.Builder> more) {
    ConnectorFactory factory = new ConnectorFactory(new RateLimits(queue.dataSource(), queue.schema(), clock), clock);
    ConnectionConfig hs = ConnectionConfig.builder("hs", "hubspot").baseUrl(sandboxUrl).token(hubspotToken, "HUBSPOT_TOKEN")
        .limit("10s", RateLimitSpec.of(1_000, Duration.ofSeconds(10))).limit("daily", RateLimitSpec.of(1_000_000, Duration.ofDays(1)))
        .limit("search", RateLimitSpec.of(1_000, Duration.ofSeconds(1))).searchIndexSettle(Duration.ofSeconds(1)).build();
    ActionTargets.Builder targets = ActionTargets.builder()
        .slack(new SlackConnection("slack-ops", URI.create(sandboxUrl + SlackSandbox.API_PREFIX), SlackOptions.DEFAULT_BOT_TOKEN))
        .hubspot("hs", factory.hubspot(hs), Duration.ofSeconds(1));
    more.accept(targets);
    return RulesEngine.builder(queue, RuleSet.parse("deals.yaml", rules)).clock(clock).targets(targets.build()).build();
  }

  @Test
  void dealStageWebhooksWithDuplicatesAndRetriesGiveOneMessageTaskEmailAndSheetRowPerDealAcrossARestart() {
    db = TestDatabase.create("actions_e2e", 8);
    queue = JobQueue.builder(db.dataSource()).clock(clock).build().migrate();
    new dev.sluice.sync.SyncEngine(queue, db.dataSource(), JobQueue.DEFAULT_SCHEMA, n -> null, clock).migrate();
    slack = new SlackSandbox(SlackOptions.builder().channel("placements", false).messageBurst(1000).build());
    smtp = new SmtpSandbox(SmtpOptions.defaults());
    sheets = new SheetsSandbox(SheetsOptions.builder().build());
    sandbox = Sandbox.builder().port(0).clock(clock).platform(slack).platform(smtp).platform(sheets)
        .hubspot(HubSpotOptions.builder().customLimits(1_000_000, 100_000_000L).searchPerSecond(100_000).build()).start();
    List<String> deals = List.of("Acme", "Globex", "Initech").stream()
        .map(n -> sandbox.hubspot().createRecord(HubSpotObjectType.DEALS, Map.of("dealname", n, "dealstage", "appointment")).id()).toList();

    start();
    long eventId = 5000;
    for (String deal : deals) {
      String once = dealStage(++eventId, deal, "placement");
      deliver(once);
      deliver(once);                                      // HubSpot's retry: the same event id
      deliver(dealStage(++eventId, deal, "placement"));   // a second subscription: a new event id, the same change
    }
    awaitIdle();
    assertEffects(deals);

    start(); // a new process on the same database
    for (String deal : deals) deliver(dealStage(++eventId, deal, "placement"));
    awaitIdle();
    assertEffects(deals);
  }

  void assertEffects(List<String> deals) {
    List<SlackMessage> messages = slack.messages("placements");
    assertThat(messages).extracting(SlackMessage::text)
        .containsExactlyInAnyOrderElementsOf(deals.stream().map(d -> "deal " + d + " placed").toList());
    List<String> tasks = sandbox.hubspot().ids(HubSpotObjectType.TASKS);
    assertThat(tasks).hasSize(deals.size());
    for (String deal : deals) {
      assertThat(tasks.stream().map(id -> sandbox.hubspot().record(HubSpotObjectType.TASKS, id).orElseThrow())
          .filter(t -> t.associated(HubSpotObjectType.DEALS).contains(deal)))
          .singleElement().satisfies(t -> {
            assertThat(t.property("hs_task_subject")).isEqualTo("Draft invoice for deal " + deal);
            assertThat(t.property("hubspot_owner_id")).isEqualTo("42");
          });
    }
    List<StoredMail> mails = smtp.messages("finance@agency.example");
    assertThat(mails).extracting(StoredMail::subject)
        .containsExactlyInAnyOrderElementsOf(deals.stream().map(d -> "Deal " + d + " placed").toList());
    assertThat(mails).extracting(StoredMail::messageId).doesNotHaveDuplicates();
    assertThat(sheets.rows(SheetsOptions.DEFAULT_SPREADSHEET_ID, "Sheet1")).extracting(r -> String.valueOf(r.get(0))) // USER_ENTERED: Sheets stores "1" as the number 1
        .containsExactlyInAnyOrderElementsOf(deals);
  }

  void awaitIdle() {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
      Map<String, Map<JobState, Long>> counts = queue.stats().countsByKind();
      long open = counts.values().stream().flatMap(m -> m.entrySet().stream())
          .filter(e -> e.getKey() == JobState.READY || e.getKey() == JobState.RUNNING || e.getKey() == JobState.RETRYABLE)
          .mapToLong(Map.Entry::getValue).sum();
      if (open > 0) clock.advance(Duration.ofMillis(200)); // snoozes and backoffs pass on the manual clock
      return open == 0;
    });
  }

  String dealStage(long eventId, String dealId, String stage) {
    return dealStage(clock, eventId, dealId, stage);
  }

  void deliver(String body) {
    deliver(inbound, clock, body);
  }

  /** A HubSpot webhook body with one deal-stage change. */
  static String dealStage(Clock clock, long eventId, String dealId, String stage) {
    return "[{\"objectId\":" + dealId + ",\"propertyName\":\"dealstage\",\"propertyValue\":\"" + stage + "\",\"eventId\":" + eventId
        + ",\"subscriptionId\":1,\"portalId\":33,\"appId\":7,\"occurredAt\":" + clock.millis()
        + ",\"subscriptionType\":\"deal.propertyChange\",\"attemptNumber\":0}]";
  }

  /** Receives {@code body} as HubSpot sends it (signature v3) at {@code /hooks/hubspot/hs}. */
  static void deliver(InboundEvents inbound, Clock clock, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String ts = Long.toString(clock.millis());
    String signed = "POST" + "http://sluice.test/hooks/hubspot/hs" + body + ts;
    String sig;
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(APP_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      sig = Base64.getEncoder().encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    inbound.receive(WebhookSender.HUBSPOT, "hs", new InboundRequest("POST", "/hooks/hubspot/hs", null,
        Map.of("Host", "sluice.test", "X-HubSpot-Signature-v3", sig, "X-HubSpot-Request-Timestamp", ts, "Content-Type", "application/json"), bytes));
  }
}
