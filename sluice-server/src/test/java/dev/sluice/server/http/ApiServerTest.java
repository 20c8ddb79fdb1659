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
import dev.sluice.sync.SyncEngine;
import java.io.IOException;
import java.net.URI;
import dev.sluice.server.http.ApiCalls.Answer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP API over a real socket, on real PostgreSQL, syncing from the real HubSpot sandbox.
 */
class ApiServerTest {
  private static final String TOKEN = "test-api-token-0123456789";
  private static final int CONTACTS = 230;
  private static final int COMPANIES = 40;
  private static final ObjectMapper JSON = new ObjectMapper();

  static TestDatabase db;
  static Sandbox sandbox;
  static SluiceRuntime runtime;
  static ApiServer server;
  static HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    db = TestDatabase.create("server_api", 20);
    sandbox = Sandbox.builder().hubspot(HubSpotOptions.builder().tier(HubSpotTier.PROFESSIONAL).build()).start();
    for (int i = 0; i < CONTACTS; i++) {
      sandbox.hubspot().createRecord(HubSpotObjectType.CONTACTS, Map.of("email", "c" + i + "@example.com", "firstname", "C" + i));
    }
    for (int i = 0; i < COMPANIES; i++) {
      sandbox.hubspot().createRecord(HubSpotObjectType.COMPANIES, Map.of("name", "Company " + i, "domain", "c" + i + ".example.com"));
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
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
    if (runtime != null) runtime.close();
    if (sandbox != null) sandbox.close();
    if (db != null) db.close();
  }

  static Answer call(String method, String path, String body, String token) throws IOException, InterruptedException {
    return ApiCalls.call(server.url(), method, path, body, token);
  }

  static Answer call(String method, String path, String body) throws IOException, InterruptedException {
    return call(method, path, body, TOKEN);
  }

  @Test
  void triggerAnswers202ThenTheRunCompletesWithCounts() throws Exception {
    Answer a = call("POST", "/v1/sync-runs", "{\"connection\":\"hubspot-main\",\"objects\":[\"contacts\",\"companies\"],\"mode\":\"full\"}");
    assertThat(a.status()).isEqualTo(202);
    assertThat(a.body().get("status").asText()).isEqualTo("pending");
    long id = a.body().get("run_id").asLong();
    assertThat(a.raw().headers().firstValue("Location")).contains("/v1/sync-runs/" + id);

    JsonNode done = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(
        () -> call("GET", "/v1/sync-runs/" + id, null).body(), n -> !List.of("pending", "processing", "retrying").contains(n.get("status").asText()));
    assertThat(done.get("status").asText()).as(done.toPrettyString()).isEqualTo("completed");
    assertThat(done.at("/counts/contacts/fetched").asLong()).as(done.toPrettyString()).isEqualTo(CONTACTS);
    // Other tests may have mirrored the contacts already (test order is not fixed): then they are unchanged.
    assertThat(done.at("/counts/contacts/created").asLong() + done.at("/counts/contacts/unchanged").asLong()).isEqualTo(CONTACTS);
    assertThat(done.at("/counts/companies/fetched").asLong()).isEqualTo(COMPANIES);
    assertThat(done.get("requests").asLong()).isPositive();
    assertThat(done.get("finished_at").isTextual()).isTrue();
    assertThat(done.get("streams")).hasSize(2);

    Answer list = call("GET", "/v1/sync-runs?connection=hubspot-main&status=completed&limit=5", null);
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.body().get("runs").findValuesAsText("run_id")).contains(String.valueOf(id));

    Answer events = call("GET", "/v1/sync-runs/" + id + "/events", null);
    assertThat(events.status()).isEqualTo(200);
    assertThat(events.body().get("events").findValuesAsText("type")).contains("run-created", "page-committed", "run-finished");

    String someId = sandbox.hubspot().ids(HubSpotObjectType.CONTACTS).get(0);
    Answer explained = call("GET", "/v1/records/hubspot-main/contacts/" + someId, null);
    assertThat(explained.status()).isEqualTo(200);
    assertThat(explained.body().at("/current/first_seen_run").asLong()).isLessThanOrEqualTo(id);
    assertThat(explained.body().get("changes")).isNotEmpty();
    // a creation is one change without property names; the history is paged
    assertThat(explained.body().at("/changes/0/kind").asText()).isEqualTo("created");
    assertThat(explained.body().at("/changes/0/changed_properties")).isEmpty();
    assertThat(explained.body().get("next_after").isNull()).isTrue();
    Answer onePerPage = call("GET", "/v1/records/hubspot-main/contacts/" + someId + "?limit=1&after=0", null);
    assertThat(onePerPage.status()).isEqualTo(200);
    assertThat(onePerPage.body().get("changes")).hasSize(1);
    assertThat(call("GET", "/v1/records/hubspot-main/contacts/" + someId + "?limit=0", null).status()).isEqualTo(400);
    assertThat(call("GET", "/v1/records/hubspot-main/contacts/" + someId + "?after=x", null).status()).isEqualTo(400);
  }

  @Test
  void adminCallsNeedTheBearerToken() throws Exception {
    Answer none = call("GET", "/v1/sync-runs", null, null);
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.body().get("error").asText()).contains("Authorization");
    Answer wrong = call("POST", "/v1/sync-runs", "{\"connection\":\"hubspot-main\"}", TOKEN + "x");
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.body().get("error").asText()).isEqualTo("the bearer token is not valid");
    assertThat(call("GET", "/v1/jobs/stats", null, "").status()).isEqualTo(401);
    // open endpoints
    assertThat(call("GET", "/healthz", null, null).status()).isEqualTo(200);
    assertThat(call("GET", "/openapi.yaml", null, null).raw().body()).as("the served document is the one the tests check against")
        .isEqualTo(ApiContract.document());
  }

  @Test
  void badBodiesAre400WithAReason() throws Exception {
    assertThat(error(call("POST", "/v1/sync-runs", "{\"connection\":"))).startsWith("the body is not valid JSON");
    assertThat(error(call("POST", "/v1/sync-runs", "[1,2]"))).isEqualTo("expected a JSON object, got array");
    assertThat(error(call("POST", "/v1/sync-runs", ""))).startsWith("the request body is empty");
    assertThat(error(call("POST", "/v1/sync-runs", "{\"connection\":\"nope\"}")))
        .isEqualTo("unknown connection 'nope' (configured: hubspot-main)");
    assertThat(error(call("POST", "/v1/sync-runs", "{\"connection\":42}"))).isEqualTo("connection must be a string, got a number");
    assertThat(error(call("POST", "/v1/sync-runs", "{\"connection\":\"hubspot-main\",\"objects\":\"contacts\"}")))
        .isEqualTo("objects must be an array of strings, got a string");
    assertThat(error(call("POST", "/v1/sync-runs", "{\"connection\":\"hubspot-main\",\"objects\":[\"deals\"]}")))
        .isEqualTo("'deals' is not an object of connection 'hubspot-main' (one of contacts, companies)");
    assertThat(error(call("POST", "/v1/sync-runs", "{\"connection\":\"hubspot-main\",\"mode\":\"sometimes\"}")))
        .isEqualTo("mode must be \"full\" or \"incremental\", got 'sometimes'");
    assertThat(error(call("POST", "/v1/sync-runs", "{\"connection\":\"hubspot-main\",\"extra\":1}")))
        .startsWith("unknown field 'extra'");
    assertThat(error(call("GET", "/v1/sync-runs?status=bogus", null))).startsWith("unknown run status 'bogus'");
    assertThat(error(call("GET", "/v1/sync-runs?limit=0", null))).isEqualTo("limit must be between 1 and 1000, got 0");
    assertThat(error(call("GET", "/v1/sync-runs/abc", null))).isEqualTo("run id must be a whole number, got 'abc'");

    String big = "{\"connection\":\"hubspot-main\",\"pad\":\"" + "x".repeat(1_100_000) + "\"}";
    // Refused on its declared length, before it is read: with 100-continue the client waits for that
    // answer instead of racing the server's close with a 1 MB upload.
    Answer oversize = ApiCalls.to(server.url(), "POST", "/v1/sync-runs").bearer(TOKEN).body("application/json", big).expectContinue().send();
    assertThat(oversize.status()).isEqualTo(413);
    assertThat(oversize.body().get("error").asText()).isEqualTo("the request body is larger than 1000000 bytes");
    assertThat(oversize.raw().body()).doesNotContain("Exception").doesNotContain("at dev.");
  }

  @Test
  void unknownIdsAre404() throws Exception {
    Answer a = call("GET", "/v1/sync-runs/987654321", null);
    assertThat(a.status()).isEqualTo(404);
    assertThat(a.body().get("error").asText()).isEqualTo("no sync run 987654321");
    assertThat(call("POST", "/v1/sync-runs/987654321/cancel", null).status()).isEqualTo(404);
    assertThat(call("GET", "/v1/sync-runs/987654321/events", null).status()).isEqualTo(404);
    assertThat(call("GET", "/v1/nothing-here", null).body().get("error").asText()).isEqualTo("no such endpoint: GET /v1/nothing-here");
  }

  @Test
  void aSecondTriggerWhileOneIsPendingReturnsTheSameRun() throws Exception {
    // Hold page jobs so that the first run is certainly still pending when the second trigger arrives.
    runtime.queue().pause(SyncEngine.PAGE_JOB_KIND);
    long id;
    try {
      String body = "{\"connection\":\"hubspot-main\",\"objects\":[\"companies\"],\"mode\":\"full\"}";
      Answer first = call("POST", "/v1/sync-runs", body);
      Answer second = call("POST", "/v1/sync-runs", body);
      assertThat(first.status()).isEqualTo(202);
      assertThat(first.body().get("coalesced").asBoolean()).isFalse();
      assertThat(second.status()).isEqualTo(200);
      assertThat(second.body().get("coalesced").asBoolean()).isTrue();
      id = first.body().get("run_id").asLong();
      assertThat(second.body().get("run_id").asLong()).isEqualTo(id);
    } finally {
      runtime.queue().resume(SyncEngine.PAGE_JOB_KIND);
    }
    JsonNode finished = await().atMost(Duration.ofSeconds(60)).until(() -> call("GET", "/v1/sync-runs/" + id, null).body(),
        n -> !List.of("pending", "processing", "retrying").contains(n.get("status").asText()));
    assertThat(finished.get("status").asText()).as(finished.toPrettyString()).isEqualTo("completed");
    Answer cancelFinished = call("POST", "/v1/sync-runs/" + id + "/cancel", null);
    assertThat(cancelFinished.status()).isEqualTo(409);
    assertThat(call("POST", "/v1/sync-runs/" + id + "/resume", null).status()).isEqualTo(409);
  }

  @Test
  void cancelStopsAPendingRun() throws Exception {
    runtime.queue().pause(SyncEngine.PAGE_JOB_KIND);
    try {
      Answer a = call("POST", "/v1/sync-runs", "{\"connection\":\"hubspot-main\",\"objects\":[\"contacts\"],\"mode\":\"full\"}");
      long id = a.body().get("run_id").asLong();
      Answer cancelled = call("POST", "/v1/sync-runs/" + id + "/cancel", null);
      assertThat(cancelled.status()).isEqualTo(200);
      assertThat(cancelled.body().get("status").asText()).isEqualTo("cancelled");
    } finally {
      runtime.queue().resume(SyncEngine.PAGE_JOB_KIND);
    }
  }

  @Test
  void serverSentEventsFollowTheRunToItsEnd() throws Exception {
    Answer a = call("POST", "/v1/sync-runs", "{\"connection\":\"hubspot-main\",\"objects\":[\"contacts\",\"companies\"],\"mode\":\"full\"}");
    long id = a.body().get("run_id").asLong();
    HttpRequest req = HttpRequest.newBuilder(server.url().resolve("/v1/sync-runs/" + id + "/events"))
        .header("Authorization", "Bearer " + TOKEN).header("Accept", "text/event-stream").timeout(Duration.ofSeconds(90)).build();
    HttpResponse<Stream<String>> r = http.send(req, HttpResponse.BodyHandlers.ofLines());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
    List<String> lines = new ArrayList<>();
    try (Stream<String> s = r.body()) {
      // the stream ends by itself after the run finished: the server closes it after its "end" event
      s.forEach(lines::add);
    }
    ApiContract.check(req, null, r, String.join("\n", lines));
    assertThat(lines).contains("event: run-created", "event: run-finished", "event: end");
    assertThat(lines.stream().filter(l -> l.startsWith("id: ")).count()).isGreaterThanOrEqualTo(3);
    String endData = lines.get(lines.indexOf("event: end") + 1);
    assertThat(JSON.readTree(endData.substring("data: ".length())).get("status").asText()).isEqualTo("completed");

    // A client that reconnects with Last-Event-ID gets only what came after that event.
    List<Long> ids = lines.stream().filter(l -> l.startsWith("id: ")).map(l -> Long.parseLong(l.substring(4))).toList();
    long resumeAfter = ids.get(ids.size() - 2);
    HttpRequest again = HttpRequest.newBuilder(server.url().resolve("/v1/sync-runs/" + id + "/events"))
        .header("Authorization", "Bearer " + TOKEN).header("Accept", "text/event-stream")
        .header("Last-Event-ID", String.valueOf(resumeAfter)).timeout(Duration.ofSeconds(30)).build();
    List<String> rest;
    HttpResponse<Stream<String>> r2 = http.send(again, HttpResponse.BodyHandlers.ofLines());
    try (Stream<String> s = r2.body()) {
      rest = s.toList();
    }
    ApiContract.check(again, null, r2, String.join("\n", rest));
    assertThat(rest.stream().filter(l -> l.startsWith("id: ")).toList()).containsExactly("id: " + ids.get(ids.size() - 1));
    assertThat(rest).contains("event: end");
  }

  @Test
  void connectionsAreListedWithTheTokenRedacted() throws Exception {
    Answer a = call("GET", "/v1/connections", null);
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.raw().body()).doesNotContain(sandbox.hubspot().token());
    JsonNode c = a.body().get("connections").get(0);
    assertThat(c.get("name").asText()).isEqualTo("hubspot-main");
    assertThat(c.get("token").asText()).isEqualTo("****");
    assertThat(c.get("token_source").asText()).isEqualTo("${HUBSPOT_TOKEN}");
    assertThat(c.at("/limits/10s/permits").asLong()).isEqualTo(190);
    assertThat(c.get("concurrency").isObject()).as("HubSpot caps no simultaneous requests").isTrue();
    assertThat(c.get("concurrency").size()).isZero();
  }

  @Test
  void statsAndMetrics() throws Exception {
    Answer stats = call("GET", "/v1/jobs/stats", null);
    assertThat(stats.status()).isEqualTo(200);
    assertThat(stats.body().has("kinds")).isTrue();
    assertThat(call("GET", "/v1/jobs/dead", null).body().get("jobs").isArray()).isTrue();
    Answer metrics = call("GET", "/metrics", null, null);
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.raw().body()).contains("# TYPE sluice_sync_runs gauge").contains("# TYPE sluice_sync_records_total counter").contains("jvm_memory_used_bytes");
  }

  @Test
  void kindsArePausedAndShadowedAndDeadJobsCancelledInBulkByKindAndErrorText() throws Exception {
    dev.sluice.queue.JobQueue q = runtime.queue();
    // two dead jobs, made dead by a worker of this test that fails them for good
    try (dev.sluice.queue.JobWorker w = q.worker().handle("api-test.doomed", ctx -> {
      throw new dev.sluice.queue.PermanentJobFailure(ctx.payload().path("why").asText());
    }).start()) {
      long a = q.enqueue(dev.sluice.queue.NewJob.of("api-test.doomed", "{\"why\": \"channel_not_found\"}")).id();
      long b = q.enqueue(dev.sluice.queue.NewJob.of("api-test.doomed", "{\"why\": \"invalid_auth\"}")).id();
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() ->
          q.find(a).orElseThrow().state() == dev.sluice.queue.JobState.DEAD && q.find(b).orElseThrow().state() == dev.sluice.queue.JobState.DEAD);
    }
    Answer listed = call("GET", "/v1/jobs/dead?kind=api-test.doomed&error_contains=channel", null);
    assertThat(listed.body().get("jobs")).hasSize(1);
    Answer cancelled = call("POST", "/v1/jobs/dead/cancel?kind=api-test.doomed&error_contains=channel_not_found", null);
    assertThat(cancelled.status()).isEqualTo(200);
    assertThat(cancelled.body().get("cancelled").asInt()).isEqualTo(1);
    assertThat(call("GET", "/v1/jobs/dead?kind=api-test.doomed", null).body().get("jobs")).singleElement()
        .satisfies(j -> assertThat(j.get("last_error").asText()).contains("invalid_auth"));

    Answer paused = call("POST", "/v1/kinds/slack.post/pause", null);
    assertThat(paused.status()).isEqualTo(200);
    assertThat(paused.body().get("paused").asBoolean()).isTrue();
    assertThat(q.isPaused("slack.post")).isTrue();
    Answer shadowed = call("POST", "/v1/kinds/slack.post/shadow", null);
    assertThat(shadowed.body().get("shadow").asBoolean()).isTrue();
    Answer kinds = call("GET", "/v1/kinds", null);
    assertThat(kinds.body().get("kinds")).anySatisfy(k -> {
      assertThat(k.get("kind").asText()).isEqualTo("slack.post");
      assertThat(k.get("paused").asBoolean()).isTrue();
      assertThat(k.get("shadow").asBoolean()).isTrue();
    });
    call("POST", "/v1/kinds/slack.post/resume", null);
    Answer back = call("POST", "/v1/kinds/slack.post/unshadow", null);
    assertThat(back.body().get("paused").asBoolean()).isFalse();
    assertThat(back.body().get("shadow").asBoolean()).isFalse();
    assertThat(call("POST", "/v1/kinds/slack.post/explode", null).status()).isEqualTo(400);
  }

  private static String error(Answer a) {
    assertThat(a.status()).as("status of %s", a.raw().body()).isEqualTo(400);
    return a.body().get("error").asText();
  }
}
