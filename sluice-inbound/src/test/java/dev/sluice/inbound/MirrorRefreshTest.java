package dev.sluice.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectorFactory;
import dev.sluice.connectors.SourceConnector;
import dev.sluice.postgres.TestDatabase;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.JobWorker;
import dev.sluice.queue.ratelimit.RateLimits;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import dev.sluice.sandbox.hubspot.HubSpotOptions;
import dev.sluice.sync.RecordHistory;
import dev.sluice.sync.SyncEngine;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** HubSpot events refresh the mirror rows they name through the real connector and the sandbox. */
class MirrorRefreshTest {
  static final String SECRET = "app-secret";
  TestDatabase db;
  Sandbox sandbox;
  JobQueue queue;
  InboundEvents inbound;
  SourceConnector connector;
  JobWorker worker;
  SyncEngine engine;
  final AtomicLong eventIds = new AtomicLong(1);

  @BeforeEach
  void setUp() {
    db = TestDatabase.create("inbound_mirror", 12);
    sandbox = Sandbox.builder().hubspot(HubSpotOptions.builder().build()).start();
    Clock clock = Clock.systemUTC();
    queue = JobQueue.builder(db.dataSource()).clock(clock).build().migrate();
    connector = new ConnectorFactory(new RateLimits(db.dataSource(), queue.schema(), clock), clock)
        .source(ConnectionConfig.builder("hs", "hubspot").baseUrl(sandbox.baseUrl()).token(sandbox.hubspot().token()).build());
    engine = new SyncEngine(queue, db.dataSource(), queue.schema(), name -> connector, clock);
    engine.migrate();
    inbound = InboundEvents.builder(db.dataSource(), queue, WebhookSources.builder().hubspot("hs", SECRET).build())
        .refreshMirror(Duration.ofMillis(500), name -> connector).build().migrate();
    JobWorker.Builder b = queue.worker().concurrency(4);
    inbound.registerHandlers(b);
    worker = b.start();
  }

  @AfterEach
  void tearDown() {
    worker.close();
    inbound.close();
    connector.close();
    sandbox.close();
    db.close();
  }

  /** Sends events the way HubSpot would (signed), each naming a record. */
  void send(String type, String... objectIds) {
    List<String> events = new ArrayList<>();
    for (String id : objectIds) {
      events.add("{\"eventId\":" + eventIds.getAndIncrement() + ",\"subscriptionType\":\"" + type + "\",\"objectId\":" + id
          + ",\"occurredAt\":" + System.currentTimeMillis() + "}");
    }
    sendRaw("[" + String.join(",", events) + "]");
  }

  void sendRaw(String json) {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    String ts = Long.toString(System.currentTimeMillis());
    String sig = java.util.Base64.getEncoder().encodeToString(HubSpotSignature.sign(SECRET, "POST", "http://h/hooks/hubspot/hs", body, ts));
    inbound.receive(WebhookSender.HUBSPOT, "hs", new InboundRequest("POST", "/hooks/hubspot/hs", null,
        Map.of("Host", "h", "X-HubSpot-Signature-v3", sig, "X-HubSpot-Request-Timestamp", ts), body));
  }

  String mirrored(String id, String property) throws Exception {
    try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
        "SELECT properties ->> ?, archived FROM sluice.record WHERE connection = 'hs' AND object_type = 'contacts' AND external_id = ?")) {
      ps.setString(1, property);
      ps.setString(2, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) return null;
        return rs.getBoolean(2) ? "archived:" + rs.getString(1) : rs.getString(1);
      }
    }
  }

  long batchReads() {
    return sandbox.journal().matching(r -> r.method().equals("POST") && r.path().endsWith("/batch/read") && r.path().startsWith("/crm/v3/")).size();
  }

  @Test
  void creationChangeDeletionAndMergeEventsRefreshTheirRows() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      ids.add(sandbox.hubspot().createRecord(HubSpotObjectType.CONTACTS, Map.of("email", "r" + i + "@example.com")).id());
    }
    long readsBefore = batchReads();
    // a burst of events about 150 records, many named twice: one job per window, batch reads of ≤ 100 ids
    send("contact.creation", ids.subList(0, 80).toArray(String[]::new));
    send("contact.propertyChange", ids.subList(0, 100).toArray(String[]::new));
    send("contact.propertyChange", ids.subList(100, 150).toArray(String[]::new));
    await().atMost(Duration.ofSeconds(20)).until(() -> "r149@example.com".equals(mirrored(ids.get(149), "email")));
    for (int i = 0; i < 150; i++) assertThat(mirrored(ids.get(i), "email")).isEqualTo("r" + i + "@example.com");
    // 2 when the burst fell in one window (the usual case), at most 4 when it straddled two
    assertThat(batchReads() - readsBefore).isBetween(2L, 4L);

    sandbox.hubspot().updateRecord(HubSpotObjectType.CONTACTS, ids.get(0), Map.of("firstname", "Changed"));
    sandbox.hubspot().archiveRecord(HubSpotObjectType.CONTACTS, ids.get(1));
    sandbox.hubspot().mergeContacts(ids.get(2), ids.get(3));
    send("contact.propertyChange", ids.get(0));
    send("contact.deletion", ids.get(1));
    sendRaw("[{\"eventId\":" + eventIds.getAndIncrement() + ",\"subscriptionType\":\"contact.merge\",\"objectId\":" + ids.get(2)
        + ",\"primaryObjectId\":" + ids.get(2) + ",\"mergedObjectIds\":[" + ids.get(3) + "],\"newObjectId\":" + ids.get(2) + "}]");
    await().atMost(Duration.ofSeconds(20)).until(() -> "Changed".equals(mirrored(ids.get(0), "firstname")));
    await().atMost(Duration.ofSeconds(20)).until(() -> String.valueOf(mirrored(ids.get(1), "email")).startsWith("archived:"));
    // the merged-away contact is archived in the mirror (HubSpot no longer knows it), with a record_change
    await().atMost(Duration.ofSeconds(20)).until(() -> String.valueOf(mirrored(ids.get(3), "email")).startsWith("archived:"));
    // the record's history shows both webhook refreshes, each with the stored event that asked for it
    List<RecordHistory.Change> history = engine.explain("hs", "contacts", ids.get(0)).changes();
    assertThat(history).extracting(RecordHistory.Change::kind).containsExactly("created", "updated");
    assertThat(history).allMatch(RecordHistory.Change::fromWebhook).allMatch(ch -> ch.runMode() == null);
    assertThat(history.get(0).eventSeq()).isLessThan(history.get(1).eventSeq());
    List<Long> namingEvents = inbound.list(new EventFilter("hubspot", "hs", null, ids.get(0), null, null, 10)).stream()
        .map(StoredEvent::id).sorted().toList(); // creation, propertyChange (burst), propertyChange (Changed)
    assertThat(namingEvents).hasSize(3);
    assertThat(history.get(0).inboundEventId()).isIn(namingEvents.subList(0, 2)); // the latest before the first refresh
    assertThat(history.get(1).inboundEventId()).isEqualTo(namingEvents.get(2));
    assertThat(history.get(1).changedProperties()).contains("firstname");
    // each refresh kept the record as it was before it, for the events it covered (the rules' previous)
    try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
        "SELECT up_to_event_id, properties IS NULL, properties->>'firstname' FROM sluice.inbound_mirror_before"
            + " WHERE object_id = '" + ids.get(0) + "' ORDER BY up_to_event_id")) {
      List<Object[]> rows = new ArrayList<>();
      while (rs.next()) rows.add(new Object[] {rs.getLong(1), rs.getBoolean(2), rs.getString(3)});
      // one per refresh that covered it (the burst may have been refreshed in one or two windows)
      assertThat(rows).hasSizeBetween(2, 3);
      assertThat((Boolean) rows.get(0)[1]).as("not in the mirror before its first refresh").isTrue();
      Object[] last = rows.get(rows.size() - 1);
      assertThat(last[0]).isEqualTo(namingEvents.get(2));
      assertThat((Boolean) last[1]).isFalse();
      assertThat(last[2]).isNotEqualTo("Changed");
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> pendingIds() == 0);
  }

  long pendingIds() throws Exception {
    try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM sluice.inbound_mirror_pending")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void aRefreshNeverOverwritesANewerVersionInTheMirror() throws Exception {
    String id = sandbox.hubspot().createRecord(HubSpotObjectType.CONTACTS, Map.of("email", "old@example.com")).id();
    send("contact.creation", id);
    await().atMost(Duration.ofSeconds(20)).until(() -> "old@example.com".equals(mirrored(id, "email")));
    // a full sync wrote a newer version meanwhile (its source last-modified is later than HubSpot's answer below)
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE sluice.record SET properties = properties || '{\"email\":\"newer@example.com\"}', content_hash = 'newer', "
          + "source_updated_at = now() + interval '1 hour' WHERE external_id = '" + id + "' AND object_type = 'contacts'");
    }
    sandbox.hubspot().updateRecord(HubSpotObjectType.CONTACTS, id, Map.of("firstname", "Stale"));
    send("contact.propertyChange", id);
    await().atMost(Duration.ofSeconds(20)).until(() -> pendingIds() == 0);
    assertThat(mirrored(id, "email")).isEqualTo("newer@example.com");
    assertThat(mirrored(id, "firstname")).isNull();
  }
}
