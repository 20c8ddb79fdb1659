package dev.sluice.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.postgres.TestDatabase;
import dev.sluice.queue.JobState;
import dev.sluice.queue.JobWorker;
import dev.sluice.queue.NewJob;
import dev.sluice.queue.ratelimit.RateLimitSnapshot;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import dev.sluice.sandbox.hubspot.HubSpotOptions;
import dev.sluice.sandbox.hubspot.HubSpotTier;
import dev.sluice.server.config.Secret;
import dev.sluice.server.config.SluiceConfig;
import dev.sluice.server.http.ApiCalls.Answer;
import dev.sluice.server.runtime.SluiceRuntime;
import dev.sluice.sync.SyncEngine;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in a real browser (headless Chromium) against the real API on real PostgreSQL,
 * after a real sync from the HubSpot sandbox; and {@code GET /v1/rate-limits} over HTTP.
 */
class DashboardTest {
  private static final String TOKEN = "dashboard-test-token-0123456789";
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  // Markup in a job error: must reach the page as text, never as an element.
  private static final String HOSTILE_ERROR = "<img id=\"injected\" src=x onerror=\"document.title='pwned'\">boom";

  static TestDatabase db;
  static Sandbox sandbox;
  static SluiceRuntime runtime;
  static ApiServer server;
  static JobWorker failingWorker;
  static long runId;
  static long deadJobId;
  static String hostileContactId;
  static HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    db = TestDatabase.create("server_dashboard", 20);
    sandbox = Sandbox.builder().hubspot(HubSpotOptions.builder().tier(HubSpotTier.PROFESSIONAL).build()).start();
    hostileContactId = sandbox.hubspot().createRecord(HubSpotObjectType.CONTACTS,
        Map.of("email", "d0@example.com", "firstname", "<b id=\"bold\">D0</b>")).id();
    for (int i = 1; i < 120; i++) {
      sandbox.hubspot().createRecord(HubSpotObjectType.CONTACTS, Map.of("email", "d" + i + "@example.com", "firstname", "D" + i));
    }
    for (int i = 0; i < 30; i++) {
      sandbox.hubspot().createRecord(HubSpotObjectType.COMPANIES, Map.of("name", "Dash " + i, "domain", "d" + i + ".example.com"));
    }
    SluiceConfig config = SluiceConfig.parse("""
        connections:
          hubspot-main:
            platform: hubspot
            base_url: %s
            token: ${HUBSPOT_TOKEN}
            tier: professional
            objects: [contacts, companies]
        """.formatted(sandbox.baseUrl()), Map.of("HUBSPOT_TOKEN", sandbox.hubspot().token()));
    runtime = SluiceRuntime.on(config, db.dataSource(), Clock.systemUTC());
    runtime.startWorkers(4);
    server = ApiServer.start(new ApiServer.Settings("127.0.0.1", 0, Secret.of(TOKEN, "test")), config,
        runtime.engine(), runtime.queue(), runtime.dataSource());

    JsonNode triggered = call("POST", "/v1/sync-runs", "{\"connection\":\"hubspot-main\",\"mode\":\"full\"}", TOKEN).body();
    runId = triggered.get("run_id").asLong();
    JsonNode done = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(
        () -> call("GET", "/v1/sync-runs/" + runId, null, TOKEN).body(),
        n -> !List.of("pending", "processing", "retrying").contains(n.get("status").asText()));
    assertThat(done.get("status").asText()).as(done.toPrettyString()).isEqualTo("completed");

    // One dead job, so the dead-jobs panel has a row.
    failingWorker = runtime.queue().worker().pollInterval(Duration.ofMillis(50)).maintenance(false)
        .handle("dashboard-doomed", ctx -> { throw new IllegalStateException(HOSTILE_ERROR); }).start();
    deadJobId = runtime.queue().enqueue(NewJob.builder("dashboard-doomed").maxAttempts(1).build()).id();
    await().atMost(Duration.ofSeconds(30)).until(() -> runtime.queue().find(deadJobId).orElseThrow().state() == JobState.DEAD);
    failingWorker.close();
    failingWorker = null;
  }

  @AfterAll
  static void stop() {
    if (failingWorker != null) failingWorker.close();
    if (server != null) server.close();
    if (runtime != null) runtime.close();
    if (sandbox != null) sandbox.close();
    if (db != null) db.close();
  }

  static Answer call(String method, String path, String body, String token) throws IOException, InterruptedException {
    return ApiCalls.call(server.url(), method, path, body, token);
  }

  @Test
  void rateLimitsListsTheConnectionsBuckets() throws Exception {
    List<RateLimitSnapshot> expected = runtime.rateLimits().list();
    assertThat(expected).isNotEmpty();
    Answer a = call("GET", "/v1/rate-limits", null, TOKEN);
    assertThat(a.status()).isEqualTo(200);
    JsonNode buckets = a.body().get("rate_limits");
    assertThat(buckets.findValuesAsText("name")).containsExactlyElementsOf(expected.stream().map(RateLimitSnapshot::name).toList());
    assertThat(buckets.findValuesAsText("name")).allMatch(n -> n.startsWith("hubspot-main:"));
    for (JsonNode b : buckets) {
      assertThat(b.get("kind").asText()).isIn("rolling", "token_bucket");
      assertThat(b.get("capacity").asLong()).isPositive();
      assertThat(b.get("available").asDouble()).isLessThanOrEqualTo(b.get("capacity").asDouble());
      assertThat(b.get("refill_period_ms").asLong()).isPositive();
      assertThat(b.get("window_ms").isNull()).isEqualTo(b.get("kind").asText().equals("token_bucket"));
      assertThat(b.get("updated_at").isTextual()).isTrue();
    }
    // The sync above went through these buckets.
    long granted = 0;
    for (JsonNode b : buckets) granted += b.get("granted_total").asLong();
    assertThat(granted).isPositive();

    Answer none = call("GET", "/v1/rate-limits", null, null);
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.body().get("error").asText()).contains("Authorization");
    assertThat(call("GET", "/v1/rate-limits", null, TOKEN + "x").status()).isEqualTo(401);
    assertThat(call("GET", "/openapi.yaml", null, null).raw().body()).contains("/v1/rate-limits:");
  }

  @Test
  void dashboardIsStaticAndPublicAndTheRootRedirectsToIt() throws Exception {
    Answer page = call("GET", "/dashboard", null, null);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.raw().headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
    assertThat(page.raw().headers().firstValue("Content-Security-Policy").orElse("")).contains("script-src 'self'");
    assertThat(page.raw().body()).contains("/dashboard/app.js").doesNotContain("http://").doesNotContain("https://");
    assertThat(page.raw().body()).as("the dashboard links the API's description").contains("href=\"/openapi.yaml\"");
    assertThat(call("GET", "/dashboard/app.js", null, null).raw().headers().firstValue("Content-Type").orElse("")).startsWith("text/javascript");
    assertThat(call("GET", "/dashboard/style.css", null, null).status()).isEqualTo(200);
    Answer root = call("GET", "/", null, null);
    assertThat(root.status()).isBetween(301, 308);
    assertThat(root.header("Location")).contains("/dashboard");
  }

  @Test
  void theBrowserRendersRunsQueueDeadJobsAndRateLimits() throws Exception {
    String dom = dumpDom("#token=" + TOKEN + "&run=" + runId);
    assertThat(dom).as(dom).contains("data-loaded=\"true\"");
    assertThat(dom).doesNotContain("data-error=");
    // The run: in the list and in the detail panel, with per-object counts.
    assertThat(dom).contains("data-run-id=\"" + runId + "\"").contains("#" + runId);
    assertThat(dom).contains("status-completed\">completed<");
    assertThat(dom).contains("data-object=\"contacts\"").contains("data-object=\"companies\"");
    assertThat(dom).contains("<td class=\"num\">120</td>").contains("<td class=\"num\">30</td>");
    // Its event timeline.
    assertThat(dom).contains("data-type=\"run-created\"").contains("data-type=\"page-committed\"").contains("data-type=\"run-finished\"");
    // Queue stats by kind and state.
    assertThat(dom).contains("id=\"queue-stats\"").contains("data-kind=\"dashboard-doomed\"").contains(">completed</th>").contains(">dead</th>");
    // Pause and shadow switches per kind (the rules' action kinds are listed without jobs too).
    assertThat(dom).contains("id=\"kind-switches\"").contains("<td>slack.post</td>").contains(">Pause</button>").contains(">Shadow</button>");
    assertThat(dom).contains("id=\"dead-retry-all\"").contains("id=\"decisions-form\"");
    // The dead job, with its error as text (escaped), and a retry button.
    assertThat(dom).contains("data-job-id=\"" + deadJobId + "\"").contains("class=\"retry\"");
    assertThat(dom).contains("&lt;img id=\"injected\"").doesNotContain("<img id=\"injected\"");
    assertThat(dom).doesNotContain("<title>pwned</title>");
    // Rate-limit gauges, one per bucket.
    for (RateLimitSnapshot s : runtime.rateLimits().list()) {
      assertThat(dom).contains("data-bucket=\"" + s.name() + "\"");
    }
    // The token is not shown back.
    assertThat(dom).doesNotContain(TOKEN).contains("token set (hidden)");
  }

  @Test
  void anActiveRunHasACancelButtonAndACancelledOneAResumeButton() throws Exception {
    // Hold page jobs so the run stays pending while the browser looks at it.
    runtime.queue().pause(SyncEngine.PAGE_JOB_KIND);
    long id;
    try {
      id = call("POST", "/v1/sync-runs", "{\"connection\":\"hubspot-main\",\"objects\":[\"companies\"]}", TOKEN).body().get("run_id").asLong();
      String dom = dumpDom("#token=" + TOKEN + "&run=" + id);
      assertThat(dom).as(dom).contains("data-loaded=\"true\"");
      assertThat(dom).contains("data-run-id=\"" + id + "\"").contains("status-pending\">pending<").contains("class=\"cancel\"");
      assertThat(dom).contains("<span id=\"run-detail-id\">#" + id + "</span>").contains("ETA: ");
      assertThat(call("POST", "/v1/sync-runs/" + id + "/cancel", null, TOKEN).status()).isEqualTo(200);
    } finally {
      runtime.queue().resume(SyncEngine.PAGE_JOB_KIND);
    }
    long cancelled = id;
    await().atMost(Duration.ofSeconds(30)).until(() -> call("GET", "/v1/sync-runs/" + cancelled, null, TOKEN).body().get("status").asText(),
        s -> s.equals("cancelled"));
    String dom = dumpDom("#token=" + TOKEN + "&run=" + id);
    assertThat(dom).as(dom).contains("status-cancelled\">cancelled<").contains("class=\"resume\"").contains("data-type=\"run-cancelled\"");
  }

  @Test
  void theRecordTimelineShowsTheMirrorRowAndItsChanges() throws Exception {
    String record = "hubspot-main/contacts/" + hostileContactId;
    String dom = dumpDom("#token=" + TOKEN + "&record=" + record);
    assertThat(dom).as(dom).contains("data-record=\"" + record + "\"");
    assertThat(dom).contains("first seen in run").contains("Changes (1)").contains("d0@example.com");
    assertThat(dom).contains("<td class=\"num\">#" + runId + "</td>");
    // The property value is text, not markup.
    assertThat(dom).contains("&lt;b id=").doesNotContain("<b id=");
  }

  @Test
  void aWrongTokenShowsTokenRefused() throws Exception {
    String dom = dumpDom("#token=not-the-token");
    assertThat(dom).as(dom).contains("data-auth=\"refused\"").contains("token refused");
    assertThat(dom).contains("data-loaded=\"false\"").doesNotContain("data-run-id=");
    assertThat(dom).doesNotContain("not-the-token");
  }

  /** Loads the dashboard in headless Chromium and returns the DOM after the page settled. */
  static String dumpDom(String fragment) throws Exception {
    assertThat(CHROMIUM).as("Chromium is needed for this test: apt-get install -y chromium").isExecutable();
    Path profile = Files.createTempDirectory("sluice-chromium-");
    Path err = Files.createTempFile("sluice-chromium-", ".log");
    try {
      URI url = server.url().resolve("/dashboard" + fragment);
      Process p = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
          "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--user-data-dir=" + profile, "--virtual-time-budget=10000", "--dump-dom", url.toString())
          .redirectError(err.toFile())
          .start();
      p.getOutputStream().close();
      // Read stdout on another thread so a full pipe cannot block the browser while we wait.
      var out = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try {
          return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      if (!p.waitFor(90, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        throw new AssertionError("chromium did not finish in 90 s; stderr:\n" + Files.readString(err));
      }
      String dom = out.get(10, TimeUnit.SECONDS);
      assertThat(p.exitValue()).as("chromium exit; stderr:\n" + Files.readString(err)).isZero();
      return dom;
    } finally {
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
      Files.deleteIfExists(err);
    }
  }
}
