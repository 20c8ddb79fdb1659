package dev.sluice.postgres;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * A throw-away database for one test class (or one benchmark): created on the machine's
 * PostgreSQL when it answers, otherwise inside an embedded PostgreSQL shared by the JVM, and
 * dropped on {@link #close()}.
 *
 * <p>Where the server is: {@code SLUICE_TEST_DATABASE_URL} (a JDBC URL to an administrative
 * database), default {@code jdbc:postgresql://127.0.0.1:5432/postgres} as user {@code postgres}.
 * With {@code CI=true} a server that does not answer is an error: CI never falls back and never
 * skips.
 */
public final class TestDatabase implements AutoCloseable {
  private static final String DEFAULT_ADMIN_URL = "jdbc:postgresql://127.0.0.1:5432/postgres";
  private static EmbeddedPostgres sharedEmbedded;

  private final String adminUrl;
  private final String user;
  private final String name;
  private final String jdbcUrl;
  private final HikariDataSource pool;

  private TestDatabase(String adminUrl, String user, String name, String jdbcUrl, int poolSize) {
    this.adminUrl = adminUrl;
    this.user = user;
    this.name = name;
    this.jdbcUrl = jdbcUrl;
    this.pool = PostgresSource.pool(jdbcUrl, user, null, poolSize);
  }

  /** Creates a fresh database whose name starts with {@code prefix}; pool of 10 connections. */
  public static TestDatabase create(String prefix) {
    return create(prefix, 10);
  }

  /** Creates a fresh database whose name starts with {@code prefix}. */
  public static TestDatabase create(String prefix, int poolSize) {
    String name = (prefix.replaceAll("[^A-Za-z0-9_]", "_") + "_" + UUID.randomUUID().toString().substring(0, 8))
        .toLowerCase(Locale.ROOT);
    String adminUrl = adminUrl();
    String user = "postgres";
    if (!answers(adminUrl, user)) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new IllegalStateException("CI=true but no PostgreSQL answers at " + adminUrl
            + " (set SLUICE_TEST_DATABASE_URL, or start the machine's PostgreSQL)");
      }
      adminUrl = embeddedAdminUrl();
    }
    execute(adminUrl, user, "CREATE DATABASE " + name);
    String dbUrl = adminUrl.replaceFirst("/[^/?]*(\\?|$)", "/" + name + "$1");
    return new TestDatabase(adminUrl, user, name, dbUrl, poolSize);
  }

  private static String adminUrl() {
    String env = System.getenv("SLUICE_TEST_DATABASE_URL");
    return env == null || env.isBlank() ? DEFAULT_ADMIN_URL : env;
  }

  private static boolean answers(String url, String user) {
    DriverManager.setLoginTimeout(3);
    try (Connection ignored = DriverManager.getConnection(url, user, null)) {
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  private static synchronized String embeddedAdminUrl() {
    if (sharedEmbedded == null) {
      try {
        sharedEmbedded = EmbeddedPostgres.builder().setServerConfig("max_connections", "300").start();
      } catch (IOException e) {
        throw new IllegalStateException("no PostgreSQL answers and the embedded one did not start: " + e.getMessage(), e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          sharedEmbedded.close();
        } catch (IOException ignored) {
          // the JVM is exiting anyway
        }
      }));
    }
    return sharedEmbedded.getJdbcUrl("postgres", "postgres");
  }

  private static void execute(String url, String user, String sql) {
    try (Connection c = DriverManager.getConnection(url, user, null); Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  /** Pooled connections to the test database. */
  public DataSource dataSource() {
    return pool;
  }

  /** JDBC URL of the test database (no credentials needed: trust auth as user {@link #user()}). */
  public String jdbcUrl() {
    return jdbcUrl;
  }

  public String user() {
    return user;
  }

  public String name() {
    return name;
  }

  /** Opens a new unpooled connection (for LISTEN, or to hold locks in a test). */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl, user, null);
  }

  @Override
  public void close() {
    pool.close();
    execute(adminUrl, user, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  }
}
