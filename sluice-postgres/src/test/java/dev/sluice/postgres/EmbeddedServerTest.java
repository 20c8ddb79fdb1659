package dev.sluice.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded server's lockdown: private directory, generated password, scram only. */
class EmbeddedServerTest {

  @Test
  void passwordSocketAndBinariesLiveInAPrivateDirectoryAndEveryConnectionNeedsThePassword(@TempDir Path home) throws Exception {
    Path dir = home.resolve("postgres");
    try (PostgresSource pg = PostgresSource.open(null, home, 2)) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
      Path passwordFile = dir.resolve("password");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(passwordFile))).isEqualTo("rw-------");
      assertThat(Files.readString(passwordFile).strip()).isEqualTo(pg.password()).hasSize(32);
      try (Stream<Path> files = Files.list(dir)) {
        List<String> names = files.map(p -> p.getFileName().toString()).toList();
        assertThat(names).contains("bin").anyMatch(n -> n.startsWith(".s.PGSQL."));
      }
      try (Stream<Path> files = Files.list(dir.resolve("bin"))) {
        assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("PG-"));
      }
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("bin")))).isEqualTo("rwx------");
      try (Connection c = pg.dataSource().getConnection(); Statement s = c.createStatement()) {
        assertThat(hbaMethods(s)).containsOnly("scram-sha-256");
        assertThat(show(s, "unix_socket_directories")).isEqualTo(dir.toString());
      }
      assertThatThrownBy(() -> connect(pg, null)).isInstanceOf(SQLException.class);
      assertThatThrownBy(() -> connect(pg, "not-the-password")).isInstanceOf(SQLException.class)
          .hasMessageContaining("password authentication failed");
      connect(pg, pg.password()).close();

      // the command the demo prints works as printed, and shows no password
      String command = pg.psqlCommand("select 40 + 2");
      assertThat(command).doesNotContain(pg.password()).contains(passwordFile.toString());
      assertThat(run(command)).contains("42");
    }
  }

  /** A data directory from before the lockdown (trust rules, no password) is adopted on its next start. */
  @Test
  void anOldTrustClusterGetsAPasswordAndScramRules(@TempDir Path home) throws Exception {
    try (PostgresSource pg = PostgresSource.open(null, home, 2)) {
      assertThat(pg.password()).isNotBlank(); // a restart keeping the password: PostgresSourceTest
    }
    Files.delete(home.resolve("postgres").resolve("password"));
    Files.writeString(home.resolve("pgdata").resolve("pg_hba.conf"),
        "local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n", StandardCharsets.UTF_8);
    try (PostgresSource pg = PostgresSource.open(null, home, 2)) {
      assertThat(Files.readString(home.resolve("postgres").resolve("password")).strip()).isEqualTo(pg.password());
      try (Connection c = pg.dataSource().getConnection(); Statement s = c.createStatement()) {
        assertThat(hbaMethods(s)).containsOnly("scram-sha-256");
      }
      assertThatThrownBy(() -> connect(pg, "not-the-password")).isInstanceOf(SQLException.class);
      connect(pg, pg.password()).close();
    }
  }

  private static Connection connect(PostgresSource pg, String password) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", pg.user());
    if (password != null) p.setProperty("password", password);
    return DriverManager.getConnection(pg.jdbcUrl().replaceFirst("\\?.*", ""), p);
  }

  private static List<String> hbaMethods(Statement s) throws SQLException {
    List<String> methods = new ArrayList<>();
    try (ResultSet rs = s.executeQuery("SELECT auth_method FROM pg_hba_file_rules")) {
      while (rs.next()) methods.add(rs.getString(1));
    }
    assertThat(methods).isNotEmpty();
    return methods;
  }

  private static String show(Statement s, String setting) throws SQLException {
    try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static String run(String shellCommand) throws Exception {
    Process p = new ProcessBuilder("sh", "-c", shellCommand).redirectErrorStream(true).start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }
}
