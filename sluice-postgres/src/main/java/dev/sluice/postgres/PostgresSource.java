package dev.sluice.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL a Sluice process runs on: an external server named by {@code SLUICE_DATABASE_URL},
 * or, when none is configured, an embedded server whose data is kept under {@code .sluice/pgdata}
 * across restarts. Closing it closes the pool and stops the embedded server, if any.
 *
 * <p>The embedded server is locked down ({@link EmbeddedServer}): binaries, socket and a generated
 * password (mode 0600) in a private {@code postgres/} directory beside the data, scram-sha-256 for
 * every connection.
 *
 * <p>The embedded server runs with {@code fsync} and {@code synchronous_commit} on, as an external
 * PostgreSQL does by default: a commit Sluice acknowledges survives a crash of the server or the host.
 *
 * <p>Thread-safe: the pool is shared by every caller.
 */
public final class PostgresSource implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PostgresSource.class);

  /** Environment variable that names an external PostgreSQL (13+). */
  public static final String DATABASE_URL_ENV = "SLUICE_DATABASE_URL";

  private final HikariDataSource pool;
  private final EmbeddedPostgres embedded;
  private final String jdbcUrl;
  private final String user;
  private final String password;
  private final Path passwordFile;

  private PostgresSource(HikariDataSource pool, EmbeddedPostgres embedded, String jdbcUrl, String user, String password,
      Path passwordFile) {
    this.pool = pool;
    this.embedded = embedded;
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
    this.passwordFile = passwordFile;
  }

  /**
   * Opens the database named by {@code SLUICE_DATABASE_URL}, or starts the embedded one under
   * {@code dataHome/pgdata} when the variable is unset or blank.
   */
  public static PostgresSource open(String databaseUrl, Path dataHome, int poolSize) {
    if (databaseUrl != null && !databaseUrl.isBlank()) {
      JdbcTarget target = JdbcTarget.parse(databaseUrl);
      return new PostgresSource(pool(target.url(), target.user(), target.password(), poolSize), null,
          target.url(), target.user(), target.password(), null);
    }
    return embedded(dataHome.resolve("pgdata"), poolSize);
  }

  /** Starts (or restarts over its kept data) an embedded PostgreSQL in {@code dataDir}. */
  public static PostgresSource embedded(Path dataDir, int poolSize) {
    try {
      Files.createDirectories(dataDir.getParent());
      log.info("starting embedded PostgreSQL, data in {}", dataDir.toAbsolutePath());
      EmbeddedServer.Started started = EmbeddedServer.start(dataDir);
      EmbeddedPostgres pg = started.postgres();
      String url = pg.getJdbcUrl(EmbeddedServer.SUPERUSER, "postgres");
      return new PostgresSource(pool(url, EmbeddedServer.SUPERUSER, started.password(), poolSize), pg, url,
          EmbeddedServer.SUPERUSER, started.password(), started.passwordFile());
    } catch (IOException e) {
      throw new IllegalStateException("could not start the embedded PostgreSQL in " + dataDir + ": " + e.getMessage(), e);
    }
  }

  static HikariDataSource pool(String url, String user, String password, int poolSize) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(user);
    if (password != null) config.setPassword(password);
    config.setMaximumPoolSize(poolSize);
    config.setMinimumIdle(Math.min(2, poolSize));
    config.setPoolName("sluice");
    config.setInitializationFailTimeout(10_000);
    return new HikariDataSource(config);
  }

  /** The pooled data source. */
  public DataSource dataSource() {
    return pool;
  }

  /** JDBC URL of the database; its query may hold the password: print {@link #displayUrl()} instead. */
  public String jdbcUrl() {
    return jdbcUrl;
  }

  /** The URL without query (where {@code password=} may be), safe to print. */
  public String displayUrl() {
    return jdbcUrl.replaceFirst("\\?.*", "");
  }

  public String user() {
    return user;
  }

  /** The password, or null when the server needs none. Never log it. */
  public String password() {
    return password;
  }

  /**
   * A shell command running {@code psql} with {@code sql} against this database, its password read
   * from the embedded server's password file (mode 0600) so that the command shows no secret;
   * against an external server, PGPASSWORD is left for the operator to set.
   */
  public String psqlCommand(String sql) {
    URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
    String host = uri.getHost() == null || uri.getHost().equals("localhost") ? "127.0.0.1" : uri.getHost();
    String db = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
    String prefix = passwordFile == null ? "" : "PGPASSWORD=\"$(cat " + shellQuote(passwordFile.toString()) + ")\" ";
    return prefix + "psql -h " + host + " -p " + (uri.getPort() == -1 ? 5432 : uri.getPort()) + " -U " + shellQuote(user)
        + " -d " + shellQuote(db) + " -c " + shellQuote(sql);
  }

  private static String shellQuote(String s) {
    return s.matches("[A-Za-z0-9/._=:@-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
  }

  /** True when this process started the server itself. */
  public boolean isEmbedded() {
    return embedded != null;
  }

  @Override
  public void close() {
    pool.close();
    if (embedded != null) {
      try {
        embedded.close();
      } catch (IOException e) {
        log.warn("embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
      }
    }
  }

  /** A JDBC URL with the user and password split out of it. */
  public record JdbcTarget(String url, String user, String password) {
    /**
     * Accepts {@code postgres://user:pass@host:port/db}, {@code postgresql://…} and
     * {@code jdbc:postgresql://host:port/db?user=…&password=…}.
     */
    public static JdbcTarget parse(String raw) {
      String s = raw.trim();
      if (s.startsWith("postgres://") || s.startsWith("postgresql://")) {
        URI uri = URI.create(s);
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
          String[] parts = uri.getRawUserInfo().split(":", 2);
          user = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
          if (parts.length > 1) password = URLDecoder.decode(parts[1], StandardCharsets.UTF_8);
        }
        int port = uri.getPort() == -1 ? 5432 : uri.getPort();
        String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
        return new JdbcTarget("jdbc:postgresql://" + uri.getHost() + ":" + port + uri.getRawPath() + query,
            user == null ? "postgres" : user, password);
      }
      if (s.startsWith("jdbc:postgresql:")) {
        String user = queryParam(s, "user");
        String password = queryParam(s, "password");
        return new JdbcTarget(s, user == null ? "postgres" : user, password);
      }
      int colon = s.indexOf(':');
      throw new IllegalArgumentException(
          "SLUICE_DATABASE_URL must start with postgres://, postgresql:// or jdbc:postgresql:// (got scheme '"
              + (colon < 0 ? "none" : s.substring(0, Math.min(colon, 20))) + "')");
    }

    private static String queryParam(String url, String name) {
      int q = url.indexOf('?');
      if (q < 0) return null;
      for (String pair : url.substring(q + 1).split("&")) {
        String[] kv = pair.split("=", 2);
        if (kv[0].equals(name) && kv.length == 2) return URLDecoder.decode(kv[1], StandardCharsets.UTF_8);
      }
      return null;
    }
  }
}
