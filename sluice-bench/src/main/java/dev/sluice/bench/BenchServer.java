package dev.sluice.bench;

import dev.sluice.postgres.PostgresSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PostgreSQL server every contender of one bench runs on: the one named by a database URL, or
 * the embedded one (kept under {@code <home>/bench/pgdata}, apart from the data of {@code sluice
 * serve}). Each contender gets a fresh database per run, made and dropped here.
 */
final class BenchServer implements AutoCloseable {
  private static final Pattern JDBC_URL = Pattern.compile("jdbc:postgresql://([^/?]+)/([^?]*)(\\?.*)?");

  private final PostgresSource embedded;
  private final String adminUrl;
  private final String user;
  private final String password;
  private final String synchronousCommit;
  private final String description;

  private BenchServer(PostgresSource embedded, String adminUrl, String user, String password, String synchronousCommit) {
    this.embedded = embedded;
    this.adminUrl = adminUrl;
    this.user = user;
    this.password = password;
    this.synchronousCommit = synchronousCommit;
    this.description = describe();
  }

  /**
   * The server named by {@code databaseUrl} (any database on it: new ones are created beside it),
   * or the embedded one. {@code synchronousCommit} ("on"/"off") is set on every bench database;
   * null keeps the server's own setting.
   */
  static BenchServer open(String databaseUrl, Path home, String synchronousCommit) {
    if (synchronousCommit != null && !synchronousCommit.equals("on") && !synchronousCommit.equals("off")) {
      throw new IllegalArgumentException("--synchronous-commit must be on or off, not '" + synchronousCommit + "'");
    }
    if (databaseUrl != null && !databaseUrl.isBlank()) {
      PostgresSource.JdbcTarget target = PostgresSource.JdbcTarget.parse(databaseUrl);
      return new BenchServer(null, target.url(), target.user(), target.password(), synchronousCommit);
    }
    PostgresSource source = PostgresSource.embedded(home.resolve("bench").resolve("pgdata"), 2);
    BenchServer server = new BenchServer(source, source.jdbcUrl(), source.user(), source.password(), synchronousCommit);
    server.dropLeftovers();
    return server;
  }

  /**
   * Drops the databases a killed bench left on the embedded server (never on an external one, which
   * other benches may be using right now): a million-contact mirror is gigabytes.
   */
  private void dropLeftovers() {
    List<String> names = new ArrayList<>();
    try (Connection c = connect(adminUrl); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery(SqlResource.load("leftover-databases.sql"))) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot list the bench databases at " + adminUrl + ": " + e.getMessage(), e);
    }
    names.forEach(this::dropDatabase);
  }

  private ServerCpu cpu;
  private boolean cpuLooked;

  /** The server's CPU counter, or null when its processes are not visible from this host. */
  synchronized ServerCpu cpu() {
    if (!cpuLooked) {
      cpuLooked = true;
      try (Connection c = connect(adminUrl)) {
        cpu = ServerCpu.of(c);
      } catch (SQLException e) {
        cpu = null;
      }
    }
    return cpu;
  }

  /** For example {@code "external PostgreSQL 15.20 at 127.0.0.1:5432 (fsync on)"}. */
  String description() {
    return description;
  }

  boolean isEmbedded() {
    return embedded != null;
  }

  /** A fresh, empty database for one contender's run. */
  BenchDatabase createDatabase(String contender) {
    String name = ("bench_" + contender + "_" + UUID.randomUUID().toString().substring(0, 8))
        .toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    executeAdmin(SqlResource.withDatabase("create-database.sql", name));
    if (synchronousCommit != null) {
      executeAdmin(SqlResource.withDatabase("synchronous-commit.sql", name).replace("{value}", synchronousCommit));
    }
    Matcher m = matchUrl(adminUrl);
    String url = "jdbc:postgresql://" + m.group(1) + "/" + name + (m.group(3) == null ? "" : m.group(3));
    return new BenchDatabase(this, name, url, user, password, m.group(1));
  }

  void dropDatabase(String name) {
    executeAdmin(SqlResource.withDatabase("drop-database.sql", name));
  }

  Connection connect(String url) throws SQLException {
    Properties props = new Properties();
    if (user != null) props.setProperty("user", user);
    if (password != null) props.setProperty("password", password);
    return DriverManager.getConnection(url, props);
  }

  private void executeAdmin(String sql) {
    try (Connection c = connect(adminUrl); Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("bench database administration failed (" + firstLine(sql) + "): " + e.getMessage(), e);
    }
  }

  private String describe() {
    try (Connection c = connect(adminUrl); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery(SqlResource.load("server-version.sql"))) {
      rs.next();
      return (embedded != null ? "embedded" : "external") + " PostgreSQL " + rs.getString(1)
          + " at " + matchUrl(adminUrl).group(1) + " (fsync " + rs.getString(2) + ", synchronous_commit "
          + (synchronousCommit == null ? rs.getString(3) : synchronousCommit + " in the bench databases, server default " + rs.getString(3)) + ")";
    } catch (SQLException e) {
      throw new IllegalStateException("cannot reach PostgreSQL at " + adminUrl + ": " + e.getMessage(), e);
    }
  }

  private static Matcher matchUrl(String url) {
    Matcher m = JDBC_URL.matcher(url);
    if (!m.matches()) throw new IllegalArgumentException("unexpected JDBC URL shape: " + url);
    return m;
  }

  private static String firstLine(String sql) {
    return sql.lines().filter(l -> !l.startsWith("--")).findFirst().orElse(sql);
  }

  @Override
  public void close() {
    if (embedded != null) embedded.close();
  }
}
