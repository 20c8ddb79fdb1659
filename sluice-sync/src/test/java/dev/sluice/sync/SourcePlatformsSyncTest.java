package dev.sluice.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectorFactory;
import dev.sluice.connectors.QueueRateLimitGate;
import dev.sluice.connectors.SourceConnector;
import dev.sluice.connectors.SyncMode;
import dev.sluice.postgres.TestDatabase;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.JobWorker;
import dev.sluice.queue.ratelimit.RateLimits;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.mailchimp.MailchimpMember;
import dev.sluice.sandbox.mailchimp.MailchimpOptions;
import dev.sluice.sandbox.mailchimp.MailchimpSandbox;
import dev.sluice.sandbox.salesforce.SObjectRecord;
import dev.sluice.sandbox.salesforce.SalesforceOptions;
import dev.sluice.sandbox.salesforce.SalesforceSandbox;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Salesforce and Mailchimp as sources of the mirror through the same run / stream / page machinery
 * as HubSpot (issue 12): a sandbox org and a sandbox audience (real HTTP over loopback, small pages)
 * sync fully, then incrementally after edits, creations and deletes, and the mirror equals the source.
 */
class SourcePlatformsSyncTest {

  TestDatabase db;
  Sandbox sandbox;
  SalesforceSandbox salesforce;
  MailchimpSandbox mailchimp;
  JobQueue queue;
  SyncEngine engine;
  ConnectorFactory factory;
  final Map<String, SourceConnector> connectors = new ConcurrentHashMap<>();
  JobWorker worker;

  @BeforeEach
  void start() {
    db = TestDatabase.create("sync_platforms", 10);
    salesforce = new SalesforceSandbox(SalesforceOptions.builder().counts(30, 120, 25, 20).queryPageSize(25).build());
    mailchimp = new MailchimpSandbox(MailchimpOptions.builder().membersPerList(60).build());
    sandbox = Sandbox.builder().port(0).platform(salesforce).platform(mailchimp).start();
    queue = JobQueue.builder(db.dataSource()).schema("sluice").build();
    engine = new SyncEngine(queue, db.dataSource(), "sluice", connectors::get, Clock.systemUTC(),
        SyncSettings.DEFAULTS.withRetry(Duration.ofMillis(50), Duration.ofSeconds(1)));
    engine.migrate();
    factory = new ConnectorFactory(QueueRateLimitGate.of(new RateLimits(db.dataSource(), "sluice", Clock.systemUTC())), Clock.systemUTC());
    connectors.put("sf", factory.source(ConnectionConfig.builder("sf", "salesforce").baseUrl(sandbox.baseUrl())
        .token(SalesforceOptions.DEFAULT_ACCESS_TOKEN, "SF_TOKEN").incrementalOverlap(Duration.ofSeconds(1)).build()));
    connectors.put("mc", factory.source(ConnectionConfig.builder("mc", "mailchimp").baseUrl(sandbox.baseUrl() + MailchimpSandbox.API_PREFIX)
        .token(mailchimp.options().apiKey(), "MC_KEY").setting("list_id", MailchimpOptions.DEFAULT_LIST_ID).setting("page_size", "10")
        .incrementalOverlap(Duration.ofSeconds(1)).build()));
    JobWorker.Builder b = queue.worker().concurrency(4).pollInterval(Duration.ofMillis(100));
    engine.registerHandlers(b);
    worker = b.start();
  }

  @AfterEach
  void stop() {
    if (worker != null) {
      worker.close();
    }
    connectors.values().forEach(SourceConnector::close);
    sandbox.close();
    db.close();
  }

  private SyncRun run(String connection, List<String> objects, SyncMode mode) {
    long id = engine.trigger(new SyncRequest(connection, objects, mode)).id();
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
        .until(() -> !engine.find(id).orElseThrow().status().active());
    SyncRun done = engine.find(id).orElseThrow();
    assertThat(done.status()).as("%s", done).isEqualTo(RunStatus.COMPLETED);
    return done;
  }

  record Row(Map<String, String> properties, boolean archived) {}

  private Map<String, Row> mirror(String connection, String objectType) throws Exception {
    Map<String, Row> out = new HashMap<>();
    try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
        "SELECT external_id, properties::text, archived FROM sluice.record WHERE connection = ? AND object_type = ?")) {
      ps.setString(1, connection);
      ps.setString(2, objectType);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), new Row(Json.MAPPER.readValue(rs.getString(2), new TypeReference<Map<String, String>>() {}),
              rs.getBoolean(3)));
        }
      }
    }
    return out;
  }

  /** The mirror holds every live record of the org with its current SystemModstamp, and its deleted ones archived. */
  private void assertMirrorEqualsOrg(String type) throws Exception {
    Map<String, Row> m = mirror("sf", type);
    Map<String, SObjectRecord> live = salesforce.records(type).stream().collect(Collectors.toMap(SObjectRecord::id, r -> r));
    Set<String> deleted = salesforce.deletedRecords(type).stream().map(SObjectRecord::id).collect(Collectors.toSet());
    assertThat(m.entrySet().stream().filter(e -> !e.getValue().archived()).map(Map.Entry::getKey).collect(Collectors.toSet()))
        .as("%s live", type).isEqualTo(live.keySet());
    assertThat(m.entrySet().stream().filter(e -> e.getValue().archived()).map(Map.Entry::getKey).collect(Collectors.toSet()))
        .as("%s deleted", type).isEqualTo(deleted);
    for (SObjectRecord r : live.values()) {
      Row row = m.get(r.id());
      assertThat(java.time.Instant.parse(row.properties().get("SystemModstamp").replaceFirst("(\\+|-)(\\d\\d)(\\d\\d)$", "$1$2:$3")))
          .as("%s %s version", type, r.id()).isEqualTo(r.get("SystemModstamp"));
      assertThat(row.properties().get("LastName") == null ? r.get("LastName") == null : row.properties().get("LastName").equals(r.get("LastName")))
          .as("%s %s LastName", type, r.id()).isTrue();
    }
  }

  @Test
  void aSalesforceOrgSyncsFullyThenIncrementallyIntoTheMirror() throws Exception {
    List<String> objects = List.of("Contact", "Account", "Lead", "Opportunity");
    SyncRun full = run("sf", objects, SyncMode.FULL);
    for (String type : objects) {
      assertThat(full.counts().get(type).created()).as(type).isEqualTo(salesforce.records(type).size());
      assertMirrorEqualsOrg(type);
    }
    assertThat(full.stream("Contact").orElseThrow().pagesCommitted()).as("Contact pages of 25").isGreaterThanOrEqualTo(5);

    List<SObjectRecord> contacts = salesforce.records("Contact");
    for (int i = 0; i < 5; i++) {
      salesforce.updateRecord("Contact", contacts.get(i).id(), Map.of("LastName", "Edited" + i));
    }
    salesforce.deleteRecord("Contact", contacts.get(10).id());
    salesforce.deleteRecord("Contact", contacts.get(11).id());
    for (int i = 0; i < 3; i++) {
      salesforce.createRecord("Contact", Map.of("LastName", "New" + i, "Email", "new" + i + "@sync.test"));
    }
    salesforce.updateRecord("Account", salesforce.records("Account").get(0).id(), Map.of("Name", "Renamed"));

    SyncRun inc = run("sf", objects, SyncMode.INCREMENTAL);
    StreamCounts c = inc.counts().get("Contact");
    assertThat(c.created()).isEqualTo(3);
    assertThat(c.updated()).as("5 edited + 2 deleted (a delete is a change)").isEqualTo(7);
    assertThat(c.archived()).isEqualTo(2);
    assertThat(c.fetched()).as("an incremental read, not a full one").isLessThan(contacts.size());
    assertThat(inc.counts().get("Account").updated()).isEqualTo(1);
    assertThat(inc.counts().get("Lead").created() + inc.counts().get("Lead").updated()).isZero();
    for (String type : objects) {
      assertMirrorEqualsOrg(type);
    }
  }

  @Test
  void aMailchimpAudienceSyncsFullyThenIncrementallyIntoTheMirror() throws Exception {
    String list = MailchimpOptions.DEFAULT_LIST_ID;
    SyncRun full = run("mc", List.of("members"), SyncMode.FULL);
    assertThat(full.counts().get("members").created()).isEqualTo(60);
    assertMirrorEqualsAudience();

    List<MailchimpMember> members = mailchimp.members(list);
    for (int i = 0; i < 4; i++) {
      mailchimp.upsertMember(list, members.get(i).emailAddress(), null, Map.of("LNAME", "Edited" + i));
    }
    mailchimp.upsertMember(list, "new.one@sync.test", "subscribed", Map.of("FNAME", "New"));
    mailchimp.upsertMember(list, "new.two@sync.test", "pending", Map.of("FNAME", "Newer"));
    mailchimp.archiveMember(list, members.get(20).emailAddress());

    SyncRun inc = run("mc", List.of("members"), SyncMode.INCREMENTAL);
    StreamCounts c = inc.counts().get("members");
    assertThat(c.created()).isEqualTo(2);
    assertThat(c.updated()).as("4 edited + 1 archived").isEqualTo(5);
    assertThat(c.archived()).isEqualTo(1);
    assertThat(c.fetched()).as("an incremental read").isLessThan(60);
    assertMirrorEqualsAudience();
  }

  private void assertMirrorEqualsAudience() throws Exception {
    Map<String, Row> m = mirror("mc", "members");
    List<MailchimpMember> all = mailchimp.members(MailchimpOptions.DEFAULT_LIST_ID);
    assertThat(m.keySet()).isEqualTo(all.stream().map(MailchimpMember::id).collect(Collectors.toSet()));
    for (MailchimpMember member : all) {
      Row row = m.get(member.id());
      assertThat(row.archived()).as(member.emailAddress()).isEqualTo(member.status().equals("archived"));
      assertThat(row.properties().get("email_address")).isEqualTo(member.emailAddress());
      assertThat(row.properties().get("status")).isEqualTo(member.status());
      assertThat(row.properties().get("LNAME")).isEqualTo(String.valueOf(member.mergeFields().getOrDefault("LNAME", "")));
    }
  }
}
