package dev.sluice.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.connectors.SyncMode;
import dev.sluice.postgres.TestDatabase;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import dev.sluice.sandbox.hubspot.HubSpotOptions;
import dev.sluice.sandbox.mailchimp.MailchimpOptions;
import dev.sluice.sandbox.mailchimp.MailchimpSandbox;
import dev.sluice.sandbox.salesforce.SObjectRecord;
import dev.sluice.sandbox.salesforce.SalesforceOptions;
import dev.sluice.sandbox.salesforce.SalesforceSandbox;
import dev.sluice.server.config.Secret;
import dev.sluice.server.config.SluiceConfig;
import dev.sluice.server.http.ApiCalls.Answer;
import dev.sluice.server.runtime.SluiceRuntime;
import dev.sluice.sync.RunStatus;
import dev.sluice.sync.SyncRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /v1/pipelines} and {@code /v1/pipeline-runs} over a real socket: a pipeline from sluice.yaml
 * pushes HubSpot contacts (mirrored from the sandbox) to the sandbox's Salesforce Contacts; pipelines
 * from the sandbox's Mailchimp members show their unsubscribes rule and count the unsubscribed.
 */
class PipelineRoutesTest {
  private static final String TOKEN = "test-api-token-0123456789-abcdefghij";
  private static final int CONTACTS = 120;

  @TempDir static Path dir;
  static TestDatabase db;
  static Sandbox sandbox;
  static SalesforceSandbox salesforce;
  static MailchimpSandbox mailchimp;
  static SluiceRuntime runtime;
  static ApiServer server;

  @BeforeAll
  static void start() throws Exception {
    db = TestDatabase.create("server_pipelines", 20);
    salesforce = new SalesforceSandbox(SalesforceOptions.builder().counts(0, 0, 0, 0).build());
    mailchimp = new MailchimpSandbox(MailchimpOptions.builder().membersPerList(0).build());
    mailchimp.upsertMember(MailchimpOptions.DEFAULT_LIST_ID, "gone@example.com", "unsubscribed", Map.of("FNAME", "Gone"));
    sandbox = Sandbox.builder().hubspot(HubSpotOptions.builder().build()).platform(salesforce).platform(mailchimp).start();
    for (int i = 0; i < CONTACTS; i++) {
      sandbox.hubspot().createRecord(HubSpotObjectType.CONTACTS, Map.of("email", "p" + i + "@example.com", "firstname", "P" + i,
          "lastname", i % 10 == 0 ? "" : "Person" + i));
    }
    Files.writeString(dir.resolve("contacts-to-salesforce.yaml"), """
        fields:
          Email: {from: source.email, type: email, required: true}
          FirstName: source.firstname
          LastName: {from: source.lastname, default: "Unknown"}
        """);
    Files.writeString(dir.resolve("members-to-hubspot.yaml"), """
        fields:
          email: {from: source.email_address, type: email, required: true}
          firstname: source.FNAME
        """);
    Files.writeString(dir.resolve("sluice.yaml"), """
        connections:
          hubspot-main:
            platform: hubspot
            base_url: %s
            token: ${HUBSPOT_TOKEN}
            objects: [contacts]
          salesforce-main:
            platform: salesforce
            base_url: %s
            token: ${SALESFORCE_TOKEN}
            objects: [Contact]
          mailchimp-main:
            platform: mailchimp
            base_url: %s%s
            token: %s
            objects: [members]
            settings:
              list_id: %s
        pipelines:
          contacts-to-salesforce:
            from: hubspot-main/contacts
            to: salesforce-main/Contact
            mapping: contacts-to-salesforce.yaml
            batch_size: 50
          members-deleting:
            from: mailchimp-main/members
            to: hubspot-main/contacts
            mapping: members-to-hubspot.yaml
            unsubscribes: delete
          members-flagged:
            from: mailchimp-main/members
            to: hubspot-main/contacts
            mapping: members-to-hubspot.yaml
            unsubscribes: {set: {hs_lead_status: UNQUALIFIED}}
        """.formatted(sandbox.baseUrl(), sandbox.baseUrl(), sandbox.baseUrl(), MailchimpSandbox.API_PREFIX, mailchimp.options().apiKey(),
        MailchimpOptions.DEFAULT_LIST_ID));
    SluiceConfig config = SluiceConfig.load(dir.resolve("sluice.yaml"),
        Map.of("HUBSPOT_TOKEN", sandbox.hubspot().token(), "SALESFORCE_TOKEN", SalesforceOptions.DEFAULT_ACCESS_TOKEN));
    runtime = SluiceRuntime.on(config, db.dataSource(), Clock.systemUTC());
    runtime.startWorkers(4);
    server = ApiServer.start(new ApiServer.Settings("127.0.0.1", 0, Secret.of(TOKEN, "test")), config, runtime.engine(),
        runtime.queue(), runtime.dataSource(), runtime.leads(), runtime.inbound(), runtime.pipelines());
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
    if (runtime != null) runtime.close();
    if (sandbox != null) sandbox.close();
    if (db != null) db.close();
  }

  static Answer call(String method, String path, String body) throws Exception {
    return ApiCalls.call(server.url(), method, path, body, TOKEN);
  }

  /** {@code GET /v1/pipelines} by name (the list's order is not the config's). */
  static Map<String, JsonNode> pipelines() throws Exception {
    Answer listed = call("GET", "/v1/pipelines", null);
    assertThat(listed.status()).isEqualTo(200);
    Map<String, JsonNode> byName = new HashMap<>();
    listed.body().get("pipelines").forEach(p -> byName.put(p.get("name").asText(), p));
    return byName;
  }

  static JsonNode awaitRun(long id) {
    return await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
        .until(() -> call("GET", "/v1/pipeline-runs/" + id, null).body(),
            n -> !List.of("pending", "processing").contains(n.get("status").asText()));
  }

  @Test
  void aRunPushesTheMirrorToSalesforceWithCountsResultsAndEvents() throws Exception {
    var sync = runtime.engine().trigger(new SyncRequest("hubspot-main", List.of("contacts"), SyncMode.FULL));
    await().atMost(Duration.ofSeconds(120)).until(() -> !runtime.engine().find(sync.id()).orElseThrow().status().active());
    assertThat(runtime.engine().find(sync.id()).orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);

    JsonNode listed = pipelines().get("contacts-to-salesforce");
    assertThat(listed.get("match").asText()).isEqualTo("Email");
    assertThat(listed.get("from").asText()).isEqualTo("hubspot-main/contacts");
    assertThat(listed.get("unsubscribes").asText()).isEqualTo("ignore");

    Answer started = call("POST", "/v1/pipeline-runs", "{\"pipeline\":\"contacts-to-salesforce\"}");
    assertThat(started.status()).as(String.valueOf(started.body())).isEqualTo(202);
    long id = started.body().get("run_id").asLong();
    assertThat(started.header("Location")).contains("/v1/pipeline-runs/" + id);

    JsonNode done = awaitRun(id);
    assertThat(done.get("status").asText()).as(done.toPrettyString()).isEqualTo("completed");
    assertThat(done.at("/counts/selected").asLong()).isEqualTo(CONTACTS);
    assertThat(done.at("/counts/sent").asLong()).isEqualTo(CONTACTS);
    assertThat(done.at("/counts/echo_suppressed").asLong()).isZero();
    assertThat(done.get("write_calls").asLong()).isEqualTo((CONTACTS + 49) / 50);
    List<SObjectRecord> inSalesforce = salesforce.records("Contact");
    assertThat(inSalesforce).hasSize(CONTACTS);
    Map<Object, Object> lastNames = inSalesforce.stream().collect(Collectors.toMap(r -> r.get("Email"), r -> r.get("LastName")));
    assertThat(lastNames).containsEntry("p0@example.com", "Unknown").containsEntry("p1@example.com", "Person1");

    // per-record results, paged by source id
    Set<String> seen = new HashSet<>();
    String after = "";
    int pages = 0;
    while (after != null) {
      Answer page = call("GET", "/v1/pipeline-runs/" + id + "/results?limit=50" + (after.isEmpty() ? "" : "&after=" + after), null);
      assertThat(page.status()).isEqualTo(200);
      page.body().get("results").forEach(r -> {
        assertThat(r.get("status").asText()).isEqualTo("synced");
        assertThat(r.get("destination_id").asText()).startsWith("003");
        seen.add(r.get("source_id").asText());
      });
      after = page.body().get("next_after").isNull() ? null : page.body().get("next_after").asText();
      pages++;
    }
    assertThat(seen).hasSize(CONTACTS);
    assertThat(pages).isEqualTo(3);

    Answer events = call("GET", "/v1/pipeline-runs/" + id + "/events", null);
    assertThat(events.body().get("events").findValuesAsText("type")).startsWith("run-created", "batch-committed").endsWith("run-finished");

    // nothing changed: the next run selects nothing and writes nothing
    Answer again = call("POST", "/v1/pipeline-runs", "{\"pipeline\":\"contacts-to-salesforce\"}");
    JsonNode quiet = awaitRun(again.body().get("run_id").asLong());
    assertThat(quiet.at("/counts/selected").asLong()).isZero();
    assertThat(quiet.get("write_calls").asLong()).isZero();
    assertThat(call("GET", "/v1/pipeline-runs?pipeline=contacts-to-salesforce&limit=1", null).body().at("/runs/0/run_id").asLong())
        .isEqualTo(again.body().get("run_id").asLong());

    // a finished run cannot be cancelled or resumed
    assertThat(call("POST", "/v1/pipeline-runs/" + id + "/cancel", null).status()).isEqualTo(409);
    Answer resume = call("POST", "/v1/pipeline-runs/" + id + "/resume", null);
    assertThat(resume.status()).isEqualTo(409);
    assertThat(resume.body().get("error").asText()).contains("completed");
  }

  @Test
  void mailchimpPipelinesShowTheirUnsubscribesRuleAndARunCountsTheUnsubscribed() throws Exception {
    Map<String, JsonNode> listed = pipelines();
    assertThat(listed.get("members-deleting").get("unsubscribes").asText()).isEqualTo("delete");
    assertThat(listed.get("members-flagged").get("unsubscribes").toString()).isEqualTo("{\"set\":{\"hs_lead_status\":\"UNQUALIFIED\"}}");

    var sync = runtime.engine().trigger(new SyncRequest("mailchimp-main", List.of("members"), SyncMode.FULL));
    await().atMost(Duration.ofSeconds(120)).until(() -> !runtime.engine().find(sync.id()).orElseThrow().status().active());
    assertThat(runtime.engine().find(sync.id()).orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
    // the only member unsubscribed before any push: not sent, counted as unsubscribed
    Answer started = call("POST", "/v1/pipeline-runs", "{\"pipeline\":\"members-deleting\"}");
    JsonNode done = awaitRun(started.body().get("run_id").asLong());
    assertThat(done.get("status").asText()).as(done.toPrettyString()).isEqualTo("completed");
    assertThat(done.at("/counts/selected").asLong()).isEqualTo(1);
    assertThat(done.at("/counts/skipped").asLong()).isEqualTo(1);
    assertThat(done.at("/counts/unsubscribed").asLong()).isEqualTo(1);
    assertThat(done.at("/counts/deleted").asLong()).isZero();
    assertThat(done.get("write_calls").asLong()).isZero();
  }

  @Test
  void badRequestsAreClear4xx() throws Exception {
    Answer unknown = call("POST", "/v1/pipeline-runs", "{\"pipeline\":\"nope\"}");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.body().get("error").asText())
        .isEqualTo("unknown pipeline 'nope' (configured: contacts-to-salesforce, members-deleting, members-flagged)");
    assertThat(call("POST", "/v1/pipeline-runs", "{}").body().get("error").asText()).contains("pipeline is required");
    assertThat(call("POST", "/v1/pipeline-runs", "{\"pipeline\":3}").body().get("error").asText()).contains("must be a string");
    assertThat(call("POST", "/v1/pipeline-runs", "{\"pipeline\":\"contacts-to-salesforce\",\"mode\":\"full\"}").body()
        .get("error").asText()).contains("unknown field 'mode'");
    Answer missing = call("GET", "/v1/pipeline-runs/987654", null);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.body().get("error").asText()).isEqualTo("no pipeline run 987654");
    assertThat(call("GET", "/v1/pipeline-runs/abc", null).status()).isEqualTo(400);
    assertThat(call("GET", "/v1/pipeline-runs?status=done", null).status()).isEqualTo(400);
  }
}
