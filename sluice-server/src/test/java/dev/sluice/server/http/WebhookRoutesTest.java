package dev.sluice.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.postgres.TestDatabase;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import dev.sluice.sandbox.hubspot.HubSpotOptions;
import dev.sluice.sandbox.hubspot.HubSpotRecord;
import dev.sluice.sandbox.hubspot.HubSpotWebhooks;
import dev.sluice.sandbox.mailchimp.MailchimpOptions;
import dev.sluice.sandbox.mailchimp.MailchimpSandbox;
import dev.sluice.sandbox.salesforce.SObjectRecord;
import dev.sluice.sandbox.salesforce.SalesforceOptions;
import dev.sluice.sandbox.salesforce.SalesforceSandbox;
import dev.sluice.server.config.Secret;
import dev.sluice.server.config.SluiceConfig;
import dev.sluice.server.http.ApiCalls.Answer;
import dev.sluice.server.runtime.SluiceRuntime;
import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The webhook receivers over real HTTP, fed by the sandbox's own senders (signed, with duplicates,
 * retries and reordering), on real PostgreSQL.
 */
class WebhookRoutesTest {
  static final String TOKEN = "test-api-token-0123456789";
  static final String MC_SECRET = "mailchimp-path-secret-0123456789";
  static final String ORG = "00D000000000001AAA";

  static TestDatabase db;
  static Sandbox sandbox;
  static SluiceRuntime runtime;
  static ApiServer server;

  @BeforeAll
  static void start() {
    db = TestDatabase.create("server_webhooks", 24);
    sandbox = Sandbox.builder()
        .hubspot(HubSpotOptions.builder().webhookTimeScale(3600).webhookDuplicateRate(0.3).webhookReorder(true).build())
        .platform(new SalesforceSandbox(SalesforceOptions.builder().organizationId(ORG).timeScale(3600).build()))
        .platform(new MailchimpSandbox(MailchimpOptions.builder().timeScale(3600).build()))
        .start();
    SluiceConfig config = SluiceConfig.parse("""
        connections:
          hubspot-main:
            platform: hubspot
            base_url: %s
            token: ${HUBSPOT_TOKEN}
            webhooks:
              app_secret: ${HUBSPOT_APP_SECRET}
          sf:
            platform: salesforce
            base_url: %s
            token: sandbox
            webhooks:
              organization_id: %s
          mc:
            platform: mailchimp
            base_url: %s
            token: sandbox
            webhooks:
              path_secret: ${MC_SECRET}
        """.formatted(sandbox.baseUrl(), sandbox.baseUrl(), ORG.substring(0, 15), sandbox.baseUrl()),
        Map.of("HUBSPOT_TOKEN", sandbox.hubspot().token(), "HUBSPOT_APP_SECRET", sandbox.hubspot().appSecret(), "MC_SECRET", MC_SECRET));
    runtime = SluiceRuntime.on(config, db.dataSource(), Clock.systemUTC());
    runtime.startWorkers(4);
    server = ApiServer.start(new ApiServer.Settings("127.0.0.1", 0, Secret.of(TOKEN, "test")), config,
        runtime.engine(), runtime.queue(), runtime.dataSource(), null, runtime.inbound());
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
    if (runtime != null) runtime.close();
    if (sandbox != null) sandbox.close();
    if (db != null) db.close();
  }

  static long count(String sql) throws Exception {
    try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static Set<String> strings(String sql) throws Exception {
    Set<String> out = new HashSet<>();
    try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) out.add(rs.getString(1));
    }
    return out;
  }

  @Test
  void hubspotEventsWithDuplicatesRetriesAndReorderingAreStoredOnce() throws Exception {
    HubSpotWebhooks hooks = sandbox.hubspot().webhooks();
    // first to a connection Sluice does not know (404): HubSpot retries on any 4xx, so the events come again later
    hooks.setTargetUrl(server.url() + "/hooks/hubspot/not-configured");
    List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 25; i++) {
      ids.add(sandbox.hubspot().createRecord(HubSpotObjectType.CONTACTS, Map.of("email", "w" + i + "@example.com")).id());
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> hooks.deliveries().stream().anyMatch(d -> d.status() == 404));
    hooks.setTargetUrl(server.url() + "/hooks/hubspot/hubspot-main");
    hooks.setDuplicateRate(1.0); // every batch of the updates is sent twice
    for (int i = 0; i < 25; i++) {
      sandbox.hubspot().updateRecord(HubSpotObjectType.CONTACTS, ids.get(i), Map.of("firstname", "W" + i));
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> hooks.backlog() == 0);
    hooks.setDuplicateRate(0.3);

    List<HubSpotWebhooks.Delivery> deliveries = hooks.deliveries();
    assertThat(deliveries).anyMatch(HubSpotWebhooks.Delivery::duplicate);
    assertThat(deliveries).anyMatch(d -> d.attemptNumber() > 0 && d.succeeded());
    assertThat(deliveries).filteredOn(d -> d.status() != 404).allMatch(HubSpotWebhooks.Delivery::succeeded);
    int sent = deliveries.stream().filter(d -> !d.duplicate() && d.attemptNumber() == 0).mapToInt(HubSpotWebhooks.Delivery::eventCount).sum();
    assertThat(sent).isGreaterThanOrEqualTo(50);
    assertThat(count("SELECT count(*) FROM sluice.inbound_event WHERE source = 'hubspot'")).isEqualTo(sent);
    assertThat(count("SELECT count(DISTINCT provider_event_id) FROM sluice.inbound_event WHERE source = 'hubspot'")).isEqualTo(sent);
    assertThat(strings("SELECT DISTINCT object_id FROM sluice.inbound_event WHERE type = 'contact.creation'")).containsAll(ids);
    // every stored event gets its job, which records that the event was seen
    await().atMost(Duration.ofSeconds(30)).until(() -> count("SELECT count(*) FROM sluice.inbound_request WHERE handled_at IS NULL") == 0);
    // and the mirror rows the events name equal the sandbox once the burst settles, without a sync run
    await().atMost(Duration.ofSeconds(30)).until(() -> mirrorMatchesSandbox(ids));
    assertThat(count("SELECT count(*) FROM sluice.sync_run")).isZero();
  }

  static boolean mirrorMatchesSandbox(List<String> ids) throws Exception {
    for (String id : ids) {
      HubSpotRecord r = sandbox.hubspot().record(HubSpotObjectType.CONTACTS, id).orElseThrow();
      Set<String> row = strings("SELECT properties ->> 'email' || '/' || (properties ->> 'firstname') FROM sluice.record"
          + " WHERE connection = 'hubspot-main' AND object_type = 'contacts' AND external_id = '" + id + "'");
      if (!row.equals(Set.of(r.property("email") + "/" + r.property("firstname")))) return false;
    }
    return true;
  }

  @Test
  void salesforceOutboundMessagesAreAcknowledgedOnlyOnceStoredAndStoredOnce() throws Exception {
    SalesforceSandbox sf = sandbox.platform(SalesforceSandbox.class);
    sf.configureOutbound(URI.create(server.url() + "/hooks/salesforce/sf"), Set.of("Contact"));
    List<SObjectRecord> contacts = sf.records("Contact");
    for (int i = 0; i < 30; i++) {
      sf.updateRecord("Contact", contacts.get(i % contacts.size()).id(), Map.of("Title", "Title " + i));
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> sf.pendingNotifications() == 0);
    Set<String> acked = sf.acknowledgedNotificationIds();
    assertThat(acked).hasSize(30);
    assertThat(strings("SELECT provider_event_id FROM sluice.inbound_event WHERE source = 'salesforce'")).isEqualTo(acked);
    assertThat(count("SELECT count(*) FROM sluice.inbound_event WHERE source = 'salesforce' AND type = 'Contact.outboundMessage'")).isEqualTo(30);
    // notifications carry the record's values: the mirror takes them directly
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      for (int i = 0; i < 30; i++) {
        SObjectRecord now = sf.record("Contact", contacts.get(i % contacts.size()).id()).orElseThrow();
        Set<String> row = strings("SELECT properties ->> 'Title' FROM sluice.record WHERE connection = 'sf' AND object_type = 'Contact'"
            + " AND external_id = '" + now.id() + "'");
        if (!row.equals(Set.of(String.valueOf(now.get("Title"))))) return false;
      }
      return true;
    });
  }

  @Test
  void mailchimpCheckAndFormPostsAreStored() throws Exception {
    MailchimpSandbox mc = sandbox.platform(MailchimpSandbox.class);
    String list = MailchimpOptions.DEFAULT_LIST_ID;
    mc.addWebhook(list, URI.create(server.url() + "/hooks/mailchimp/mc/" + MC_SECRET)); // passes the GET check
    for (int i = 0; i < 10; i++) mc.upsertMember(list, "m" + i + "@example.com", "subscribed", Map.of("FNAME", "M" + i));
    mc.upsertMember(list, "m1@example.com", "subscribed", Map.of("FNAME", "Changed"));
    await().atMost(Duration.ofSeconds(60)).until(() -> mc.pendingWebhookDeliveries() == 0);
    int delivered = mc.webhookDeliveries().size();
    assertThat(delivered).isGreaterThanOrEqualTo(11);
    assertThat(count("SELECT count(*) FROM sluice.inbound_event WHERE source = 'mailchimp'")).isEqualTo(delivered);
    assertThat(count("SELECT count(*) FROM sluice.inbound_event WHERE source = 'mailchimp' AND type = 'profile' AND payload #>> '{data,merges,FNAME}' = 'Changed'")).isEqualTo(1);
    Answer wrong = ApiCalls.call(server.url(), "GET", "/hooks/mailchimp/mc/not-the-secret", null, null);
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.body().get("error").asText()).doesNotContain("not-the-secret");
  }

  /** A POST checked against openapi.yaml like every other HTTP test's exchange. */
  static Answer post(String path, String contentType, String body, Map<String, String> headers) throws Exception {
    ApiCalls.Call c = ApiCalls.to(server.url(), "POST", path).body(contentType, body);
    headers.forEach(c::header);
    return c.send();
  }

  @Test
  void badRequestsGetTheirStatusAndOneLineAndNeedNoBearerToken() throws Exception {
    long before = count("SELECT count(*) FROM sluice.inbound_request");
    String ts = Long.toString(System.currentTimeMillis());
    Answer unsigned = post("/hooks/hubspot/hubspot-main", "application/json", "[]",
        Map.of("X-HubSpot-Request-Timestamp", ts, "X-HubSpot-Signature-v3", "AAAA"));
    assertThat(unsigned.status()).isEqualTo(401);
    assertThat(unsigned.raw().body()).startsWith("{\"error\":").doesNotContain("\n");
    assertThat(post("/hooks/hubspot/nope", "application/json", "[]", Map.of()).status()).isEqualTo(404);
    // Salesforce reads SOAP: its receiver answers every refusal as a SOAP Fault (text/xml), not JSON
    Answer doctype = post("/hooks/salesforce/sf", "text/xml", "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>",
        Map.of());
    assertThat(doctype.status()).isEqualTo(400);
    assertThat(doctype.raw().headers().firstValue("Content-Type").orElse("")).startsWith("text/xml");
    assertThat(doctype.raw().body()).contains("<soapenv:Fault><faultcode>soapenv:Client</faultcode><faultstring>").doesNotContain("passwd");
    Answer tooLarge = post("/hooks/salesforce/sf", "text/xml", "x".repeat(1_000_001), Map.of());
    assertThat(tooLarge.status()).isEqualTo(413);
    assertThat(tooLarge.raw().body()).contains("<soapenv:Fault>");
    String otherOrg = "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body>"
        + "<notifications xmlns=\"http://soap.sforce.com/2005/09/outbound\"><OrganizationId>00D000000000009AAA</OrganizationId>"
        + "<Notification><Id>04l000000000001</Id><sObject xsi:type=\"sf:Contact\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
        + " xmlns:sf=\"urn:sobject.enterprise.soap.sforce.com\"><sf:Id>003000000000001</sf:Id></sObject></Notification>"
        + "</notifications></soapenv:Body></soapenv:Envelope>";
    Answer wrongOrg = post("/hooks/salesforce/sf", "text/xml", otherOrg, Map.of());
    assertThat(wrongOrg.status()).isEqualTo(401);
    assertThat(wrongOrg.raw().body()).contains("<faultstring>OrganizationId does not match connection 'sf'</faultstring>");
    assertThat(post("/hooks/salesforce/nope", "text/xml", otherOrg, Map.of()).raw().body()).contains("soapenv:Client");
    assertThat(post("/hooks/mailchimp/mc/" + MC_SECRET, "application/x-www-form-urlencoded", "fired_at=1", Map.of()).status()).isEqualTo(400);
    assertThat(post("/hooks/standard/none", "application/json", "{}", Map.of()).status()).isEqualTo(404);
    assertThat(count("SELECT count(*) FROM sluice.inbound_request")).isEqualTo(before);
  }

  @Test
  void eventsApiListsShowsAndReplaysBehindTheBearerToken() throws Exception {
    HubSpotRecord r = sandbox.hubspot().createRecord(HubSpotObjectType.COMPANIES, Map.of("name", "Evented"));
    sandbox.hubspot().webhooks().setTargetUrl(server.url() + "/hooks/hubspot/hubspot-main");
    await().atMost(Duration.ofSeconds(30)).until(() -> count("SELECT count(*) FROM sluice.inbound_event WHERE type = 'company.creation' AND object_id = '" + r.id() + "'") >= 1);
    assertThat(ApiCalls.call(server.url(), "GET", "/v1/events", null, null).status()).isEqualTo(401);
    Answer list = ApiCalls.call(server.url(), "GET", "/v1/events?source=hubspot&type=company.creation&object_id=" + r.id(), null, TOKEN);
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.body().get("events")).hasSize(1);
    long id = list.body().at("/events/0/id").asLong();
    assertThat(list.body().at("/events/0/type").asText()).isEqualTo("company.creation");
    Answer shown = ApiCalls.call(server.url(), "GET", "/v1/events/" + id, null, TOKEN);
    assertThat(shown.body().at("/raw/verification").asText()).isEqualTo("hubspot-signature-v3");
    assertThat(shown.body().at("/raw/body").asText()).contains(r.id());
    Answer replay = ApiCalls.call(server.url(), "POST", "/v1/events/" + id + "/replay", null, TOKEN);
    assertThat(replay.status()).isEqualTo(202);
    Answer replayAll = ApiCalls.call(server.url(), "POST", "/v1/events/replay", "{\"type\":\"company.creation\",\"object_id\":\"" + r.id() + "\"}", TOKEN);
    assertThat(replayAll.body().get("count").asInt()).isEqualTo(1);
    assertThat(ApiCalls.call(server.url(), "POST", "/v1/events/replay", "{}", TOKEN).status()).isEqualTo(400);
    assertThat(ApiCalls.call(server.url(), "GET", "/v1/events/999999999", null, TOKEN).status()).isEqualTo(404);
    // handled once as stored, then once per replay
    await().atMost(Duration.ofSeconds(30)).until(() -> ApiCalls.call(server.url(), "GET", "/v1/events/" + id, null, TOKEN).body().get("handled_count").asInt() == 3);
  }
}
