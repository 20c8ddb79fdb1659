package dev.sluice.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.postgres.PostgresSource;
import dev.sluice.postgres.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The queue demo drops only a schema it made itself, never one it finds in someone's database. */
class QueueDemoSchemaTest {
  @Test
  void aForeignSchemaOfTheSameNameIsLeftAloneAndTheDemosOwnIsDropped(@TempDir Path home) throws Exception {
    try (TestDatabase db = TestDatabase.create("queue_demo_schema");
        PostgresSource pg = PostgresSource.open(db.jdbcUrl(), home, 2)) {
      execute(pg, "CREATE SCHEMA " + QueueDemo.DEMO_SCHEMA + "; CREATE TABLE " + QueueDemo.DEMO_SCHEMA + ".precious (v int)");
      assertThat(QueueDemo.dropOwnSchema(pg)).contains("was not made by this demo").doesNotContain("password");
      assertThat(schemaExists(pg)).isTrue();

      execute(pg, "COMMENT ON SCHEMA " + QueueDemo.DEMO_SCHEMA + " IS 'made by sluice demo --queue-only; its next run drops it'");
      assertThat(QueueDemo.dropOwnSchema(pg)).isNull();
      assertThat(schemaExists(pg)).isFalse();
      assertThat(QueueDemo.dropOwnSchema(pg)).isNull(); // nothing there: nothing to do
    }
  }

  private static void execute(PostgresSource pg, String sql) throws Exception {
    try (Connection c = pg.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static boolean schemaExists(PostgresSource pg) throws Exception {
    try (Connection c = pg.dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_namespace WHERE nspname = '" + QueueDemo.DEMO_SCHEMA + "'")) {
      rs.next();
      return rs.getInt(1) == 1;
    }
  }
}
