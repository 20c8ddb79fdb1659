package dev.sluice.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/** One contender's database for one run; {@link #close()} drops it. */
final class BenchDatabase implements AutoCloseable {
  private final BenchServer server;
  private final String name;
  private final String jdbcUrl;
  private final String user;
  private final String password;
  private final String hostAndPort;
  private HikariDataSource pool;

  BenchDatabase(BenchServer server, String name, String jdbcUrl, String user, String password, String hostAndPort) {
    this.server = server;
    this.name = name;
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
    this.hostAndPort = hostAndPort;
  }

  String name() {
    return name;
  }

  /** A pool of {@code size} connections, made on first call (later calls return the same pool). */
  synchronized DataSource pool(int size) {
    if (pool == null) {
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(jdbcUrl);
      if (user != null) config.setUsername(user);
      if (password != null) config.setPassword(password);
      config.setMaximumPoolSize(size);
      config.setMinimumIdle(size);
      config.setPoolName("bench-" + name);
      pool = new HikariDataSource(config);
    }
    return pool;
  }

  /** A new unpooled connection. */
  Connection connect() throws SQLException {
    return server.connect(jdbcUrl);
  }

  /** The database as a libpq connection string, for the Node peers. */
  String connectionString() {
    String userInfo = user == null ? "" : URLEncoder.encode(user, StandardCharsets.UTF_8)
        + (password == null ? "" : ":" + URLEncoder.encode(password, StandardCharsets.UTF_8)) + "@";
    return "postgres://" + userInfo + hostAndPort + "/" + name;
  }

  /** Runs one SQL resource as a plain statement (DDL, ANALYZE). */
  void execute(String resource) throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.execute(SqlResource.load(resource));
    }
  }

  /** Fresh planner statistics after a bulk pre-insert: every contender gets this before it works. */
  void analyze() throws SQLException {
    execute("analyze.sql");
  }

  @Override
  public void close() {
    synchronized (this) {
      if (pool != null) pool.close();
    }
    server.dropDatabase(name);
  }
}
