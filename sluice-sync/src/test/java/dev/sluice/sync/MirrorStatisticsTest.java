package dev.sluice.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.postgres.TestDatabase;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.schema.TableStatistics;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The mirror's planner statistics follow a fast-growing mirror, and with them the per-id lookups of
 * a page are unique-key lookups, not walks over every row of the object type.
 */
class MirrorStatisticsTest {
  static TestDatabase db;
  static SqlStatements sql = new SqlStatements("sluice");

  @BeforeAll
  static void database() {
    db = TestDatabase.create("mirror_stats");
    JobQueue queue = JobQueue.builder(db.dataSource()).schema("sluice").build();
    new SyncEngine(queue, db.dataSource(), "sluice", name -> null, Clock.systemUTC()).migrate();
  }

  @AfterAll
  static void drop() {
    db.close();
  }

  @Test
  void aGrowingMirrorIsAnalyzedAndItsLookupsUseTheWholeKey() throws Exception {
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("ANALYZE sluice.record"); // statistics of an empty table, as at the start of a first sync
      s.execute("INSERT INTO sluice.record (connection, object_type, external_id, properties, associations, archived, "
          + "source_updated_at, content_hash, first_seen_run, last_changed_run, synced_at) "
          + "SELECT 'hubspot-main', 'contacts', g::text, '{}', '{}', false, now(), md5(g::text), 1, 1, now() "
          + "FROM generate_series(1, 20000) g");
    }
    TableStatistics stats = new TableStatistics(db.dataSource(), sql.get("analyze_record"), "the mirror");
    stats.written("hubspot-main/contacts", 999); // below the minimum: nothing to do
    assertThat(stats.analyses()).isZero();
    stats.written("hubspot-main/contacts", 19_001);
    await().atMost(Duration.ofSeconds(60)).until(() -> stats.analyses() == 1);
    assertThat(reltuples()).isBetween(19_000L, 21_000L);

    List<String> plan = explainLookup("contacts", List.of("17", "4242", "19999"));
    assertThat(String.join("\n", plan)).as("plan of select_mirror_rows")
        .contains("record_key")
        .containsPattern("Index Cond: .*external_id")
        .doesNotContain("Seq Scan");

    // the next analysis waits for a quarter more of the object type
    stats.written("hubspot-main/contacts", 4_000);
    assertThat(stats.analyses()).isEqualTo(1);

    // a new object type in a big mirror: its first thousand rows are enough, whatever the table's size
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("INSERT INTO sluice.record (connection, object_type, external_id, properties, associations, archived, "
          + "source_updated_at, content_hash, first_seen_run, last_changed_run, synced_at) "
          + "SELECT 'hubspot-main', 'deals', g::text, '{}', '{}', false, now(), md5(g::text), 1, 1, now() "
          + "FROM generate_series(1, 1000) g");
    }
    stats.written("hubspot-main/deals", 1_000);
    await().atMost(Duration.ofSeconds(60)).until(() -> stats.analyses() == 2);
    assertThat(String.join("\n", explainLookup("deals", List.of("5", "900")))).as("plan of select_mirror_rows for deals")
        .contains("record_key")
        .containsPattern("Index Cond: .*external_id")
        .doesNotContain("Seq Scan");
  }

  @Test
  void nothingHappensForPagesThatInsertNothing() {
    TableStatistics stats = new TableStatistics(db.dataSource(), sql.get("analyze_record"), "the mirror", 1);
    stats.written("hubspot-main/contacts", 0);
    stats.written("hubspot-main/contacts", -3);
    assertThat(stats.analyses()).isZero();
  }

  private static long reltuples() throws Exception {
    try (Connection c = db.dataSource().getConnection();
         PreparedStatement ps = c.prepareStatement("SELECT reltuples::bigint FROM pg_class WHERE oid = 'sluice.record'::regclass");
         ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static List<String> explainLookup(String objectType, List<String> ids) throws Exception {
    List<String> lines = new ArrayList<>();
    try (Connection c = db.dataSource().getConnection();
         PreparedStatement ps = c.prepareStatement("EXPLAIN " + sql.get("select_mirror_rows"))) {
      ps.setArray(1, c.createArrayOf("text", ids.toArray()));
      ps.setString(2, "hubspot-main");
      ps.setString(3, objectType);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          lines.add(rs.getString(1));
        }
      }
    }
    return lines;
  }
}
