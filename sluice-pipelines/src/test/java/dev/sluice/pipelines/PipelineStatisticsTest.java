package dev.sluice.pipelines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.postgres.TestDatabase;
import dev.sluice.queue.JobQueue;
import dev.sluice.sync.SyncEngine;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The identity tables' planner statistics follow a push that grows them, and a batch's identity
 * links are looked up by its keys, not read as every link of both sides, before and after.
 */
class PipelineStatisticsTest {
  static TestDatabase db;
  static PipelineStore store = new PipelineStore("sluice");
  static Pipeline pipeline;

  @BeforeAll
  static void database() throws Exception {
    pipeline = new Pipeline("hs-to-sf", "hubspot-main", "contacts", "salesforce-main", "Contact", "Email",
        Mapping.parse("fields:\n  Email: {from: source.email, type: email, required: true}\n", "test"), 200, null);
    db = TestDatabase.create("pipeline_stats");
    JobQueue queue = JobQueue.builder(db.dataSource()).schema("sluice").build();
    new SyncEngine(queue, db.dataSource(), "sluice", name -> null, Clock.systemUTC()).migrate();
    new PipelineEngine(queue, db.dataSource(), "sluice", Map.of(), name -> null, Clock.systemUTC()).migrate();
  }

  @AfterAll
  static void drop() {
    db.close();
  }

  @Test
  void aPushThatGrowsTheIdentityTablesHasThemAnalyzedAndItsLinksLookedUpByKey() throws Exception {
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      // statistics of empty tables (a join on the keys was then planned as a read of every link of both sides), as when a first push begins; then what 20,000 records of it wrote
      s.execute("ANALYZE sluice.identity_entity, sluice.identity_link, sluice.pipeline_record, sluice.pipeline_written");
      s.execute("INSERT INTO sluice.identity_entity (match_key, created_at) "
          + "SELECT 'person' || g || '@example.com', now() FROM generate_series(1, 20000) g");
      s.execute("INSERT INTO sluice.identity_link (entity_id, connection, object_type, external_id, linked_at) "
          + "SELECT e.id, side.connection, side.object_type, side.prefix || e.id, now() FROM sluice.identity_entity e "
          + "CROSS JOIN (VALUES ('hubspot-main', 'contacts', 'h'), ('salesforce-main', 'Contact', 's')) "
          + "AS side (connection, object_type, prefix)");
    }
    // select_links is driven by the keys even while the statistics are stale
    assertThat(String.join("\n", explainLinks(List.of("person17@example.com", "person4242@example.com"))))
        .as("plan of select_links on stale statistics")
        .contains("identity_entity_match_key_key")
        .contains("identity_link_entity_idx")
        .doesNotContain("identity_link_pkey");
    PipelineStatistics stats = new PipelineStatistics(db.dataSource(), store);
    stats.committed(Map.of(PipelineStatistics.ENTITIES, 500L, PipelineStatistics.links(pipeline), 999L));
    assertThat(stats.analyses()).as("below the minimum of every part").isZero();
    stats.committed(Map.of(PipelineStatistics.ENTITIES, 19_500L, PipelineStatistics.links(pipeline), 39_001L));
    // one analysis per table that grew: the entities and the links
    await().atMost(Duration.ofSeconds(60)).until(() -> stats.analyses() == 2);

    String plan = String.join("\n", explainLinks(List.of("person17@example.com", "person4242@example.com")));
    assertThat(plan).as("plan of select_links")
        .contains("identity_entity_match_key_key")
        .contains("identity_link_entity_idx")
        .doesNotContain("identity_link_pkey")
        .doesNotContain("Seq Scan on identity");

    // the next analysis waits for a quarter more
    stats.committed(Map.of(PipelineStatistics.links(pipeline), 5_000L));
    assertThat(stats.analyses()).isEqualTo(2);
  }

  @Test
  void aKeyRepeatedInTheBatchListsEachLinkedRecordOnce() throws Exception {
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("INSERT INTO sluice.identity_entity (match_key, created_at) VALUES ('twice@example.com', now())");
      s.execute("INSERT INTO sluice.identity_link (entity_id, connection, object_type, external_id, linked_at) "
          + "SELECT e.id, 'salesforce-main', 'Contact', 'sf-twice', now() FROM sluice.identity_entity e "
          + "WHERE e.match_key = 'twice@example.com'");
      // two source records of one batch with the same email: the person exists once at the destination
      Map<String, List<LinkedRecord>> links = store.links(c, pipeline, List.of("twice@example.com", "twice@example.com"));
      assertThat(links.get("twice@example.com")).extracting(LinkedRecord::externalId).containsExactly("sf-twice");
    }
  }

  private static List<String> explainLinks(List<String> keys) throws Exception {
    List<String> lines = new ArrayList<>();
    try (Connection c = db.dataSource().getConnection();
         PreparedStatement ps = c.prepareStatement("EXPLAIN " + store.text("select_links"))) {
      // select_links's parameters in order: keys, source connection and object, destination connection and object
      ps.setArray(1, c.createArrayOf("text", keys.toArray()));
      ps.setString(2, pipeline.sourceConnection());
      ps.setString(3, pipeline.sourceObject());
      ps.setString(4, pipeline.destinationConnection());
      ps.setString(5, pipeline.destinationObject());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          lines.add(rs.getString(1));
        }
      }
    }
    return lines;
  }
}
