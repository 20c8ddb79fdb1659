package dev.sluice.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.sluice.postgres.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs the store contract against PostgreSQL. */
class PostgresJobStoreTest extends JobStoreContract {
  static TestDatabase db;

  @BeforeAll
  static void createDatabase() {
    db = TestDatabase.create("queue_store");
    JobQueue.builder(db.dataSource()).schema("sluice").build().migrate();
  }

  @AfterAll
  static void dropDatabase() {
    db.close();
  }

  @Override
  protected JobStore emptyStore() throws Exception {
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.execute("TRUNCATE sluice.job, sluice.job_kind");
    }
    return new PostgresJobStore(db.dataSource(), "sluice");
  }

  @Override
  protected Connection connect() throws Exception {
    return db.dataSource().getConnection();
  }

  /**
   * A heartbeat must never wait for a row lock: a row locked elsewhere (a completion batch) is
   * being finished, and waiting on it is what made heartbeat and completion deadlock. The timeout
   * only turns a hang into a failure; the row lock is held for the whole check.
   */
  @Test
  void heartbeatSkipsRowsLockedElsewhereInsteadOfWaiting() throws Exception {
    long locked = enqueue(NewJob.of("k", "{}")).id();
    long free = enqueue(NewJob.of("k", "{}")).id();
    assertThat(store.claim(List.of("k"), 2, W1, T0)).hasSize(2);
    try (Connection other = connect()) {
      other.setAutoCommit(false);
      try (PreparedStatement ps = other.prepareStatement("SELECT id FROM sluice.job WHERE id = ? FOR UPDATE")) {
        ps.setLong(1, locked);
        ps.executeQuery().close();
      }
      int beaten = assertTimeoutPreemptively(Duration.ofSeconds(20),
          () -> store.heartbeat(new long[] {locked, free}, W1, T0.plusSeconds(10)));
      assertThat(beaten).isEqualTo(1);
      other.rollback();
    }
    assertThat(job(free).heartbeatAt()).isEqualTo(T0.plusSeconds(10));
    assertThat(job(locked).heartbeatAt()).isEqualTo(T0);
  }

  /** Claims and completions turn off synchronous_commit for their own transaction only. */
  @Test
  void asyncCommitDoesNotLeakIntoTheConnection() throws Exception {
    enqueue(NewJob.of("k", "{}"));
    try (Connection c = db.connect()) {
      try (Statement s = c.createStatement()) {
        s.execute("SET synchronous_commit = on"); // the embedded test server's default is off
      }
      JobStore onOneConnection = new PostgresJobStore(new SingleConnectionDataSource(c), "sluice");
      List<Job> claimed = onOneConnection.claim(List.of("k"), 1, W1, T0);
      assertThat(claimed).hasSize(1);
      onOneConnection.complete(List.of(JobStore.Completion.ok(claimed.get(0))), W1, T0);
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW synchronous_commit")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("on");
      }
    }
  }

  /** Hands out one connection again and again; closing what it hands out leaves it open. */
  private record SingleConnectionDataSource(Connection connection) implements javax.sql.DataSource {
    @Override
    public Connection getConnection() {
      return (Connection) java.lang.reflect.Proxy.newProxyInstance(Connection.class.getClassLoader(),
          new Class<?>[] {Connection.class}, (proxy, method, args) -> {
            if (method.getName().equals("close")) return null;
            try {
              return method.invoke(connection, args);
            } catch (java.lang.reflect.InvocationTargetException e) {
              throw e.getCause();
            }
          });
    }

    @Override
    public Connection getConnection(String user, String password) {
      return getConnection();
    }

    @Override
    public java.io.PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(java.io.PrintWriter out) {
    }

    @Override
    public void setLoginTimeout(int seconds) {
    }

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public java.util.logging.Logger getParentLogger() {
      return java.util.logging.Logger.getGlobal();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws java.sql.SQLException {
      throw new java.sql.SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return false;
    }
  }
}
