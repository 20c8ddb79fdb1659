package dev.sluice.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.sluice.postgres.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
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
      s.execute("TRUNCATE sluice.job, sluice.job_kind, sluice.job_dead, sluice.job_finished_batch, sluice.job_dedupe, sluice.job_lease");
    }
    return new PostgresJobStore(db.dataSource(), "sluice");
  }

  @Override
  protected Connection connect() throws Exception {
    return db.dataSource().getConnection();
  }

  /**
   * A heartbeat writes only the lease row, never a job row: a job row locked elsewhere (a
   * completion batch) cannot make it wait. The timeout only turns a hang into a failure.
   */
  @Test
  void heartbeatNeverWaitsOnJobRowsLockedElsewhere() throws Exception {
    long locked = enqueue(NewJob.of("k", "{}")).id();
    long free = enqueue(NewJob.of("k", "{}")).id();
    JobStore.Claim claim = store.claim(List.of("k"), 2, W1, T0);
    assertThat(claim.jobs()).hasSize(2);
    try (Connection other = connect()) {
      other.setAutoCommit(false);
      try (PreparedStatement ps = other.prepareStatement("SELECT id FROM sluice.job WHERE id = ? FOR UPDATE")) {
        ps.setLong(1, locked);
        ps.executeQuery().close();
      }
      List<JobStore.Beat> beats = assertTimeoutPreemptively(Duration.ofSeconds(20),
          () -> store.heartbeat(List.of(claim.lease()), W1, T0.plusSeconds(10)));
      assertThat(beats).extracting(JobStore.Beat::id).containsExactlyInAnyOrder(locked, free);
      other.rollback();
    }
    assertThat(job(free).heartbeatAt()).isEqualTo(T0.plusSeconds(10));
    assertThat(job(locked).heartbeatAt()).isEqualTo(T0.plusSeconds(10));
  }

  /**
   * A bulk enqueue under a dedupe key that a committed job already holds skips it without locking
   * the key's row, so it never waits for another open transaction that enqueued under the same key
   * (the webhook store enqueues one mirror refresh per window from every storing transaction). The
   * timeout only turns a hang into a failure.
   */
  @Test
  void bulkEnqueueUnderAHeldKeyNeverWaitsForAnotherOpenTransaction() throws Exception {
    long holder = enqueue(NewJob.builder("k").dedupeKey("window-1").build()).id();
    try (Connection open = connect()) {
      open.setAutoCommit(false);
      assertThat(store.bulkEnqueue(open, List.of(NewJob.builder("k").dedupeKey("window-1").build()), T0)).isZero();
      long added = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
        try (Connection c = connect()) {
          return store.bulkEnqueue(c, List.of(NewJob.builder("k").dedupeKey("window-1").build(), NewJob.of("k", "{}")), T0);
        }
      });
      assertThat(added).isEqualTo(1);
      open.rollback();
    }
    try (Connection c = connect()) {
      assertThat(store.enqueue(c, NewJob.builder("k").dedupeKey("window-1").build(), T0)).isEqualTo(new EnqueueResult(holder, false));
    }
  }

  /**
   * Defect 5: the cleaner's DELETE re-checks the state and age on the row version it deletes. A
   * dead job the cleaner's inner SELECT saw as past retention, but that an operator cancels (its
   * finished time becomes now) before the DELETE gets its row lock, is kept.
   */
  @Test
  void cleanerKeepsAJobChangedAfterItsSelectSawIt() throws Exception {
    long id = enqueue(NewJob.of("k", "{}")).id();
    JobStore.Claim claim = store.claim(List.of("k"), 1, W1, T0);
    store.complete(List.of(JobStore.Completion.of(claim.jobs().getFirst(), claim.lease(), JobState.DEAD, null, "x", null)),
        List.of(claim.lease()), W1, T0);
    Instant later = T0.plus(Duration.ofDays(30));
    try (Connection operator = connect()) {
      operator.setAutoCommit(false);
      // what cancelDead does, left uncommitted so the cleaner has to wait for it
      try (PreparedStatement ps = operator.prepareStatement(
          "UPDATE sluice.job_dead SET state = 'cancelled', finished_at = ? WHERE id = ? AND state = 'dead'")) {
        ps.setObject(1, later.atOffset(java.time.ZoneOffset.UTC));
        ps.setLong(2, id);
        assertThat(ps.executeUpdate()).isEqualTo(1);
      }
      java.util.concurrent.CompletableFuture<Integer> cleaned = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try {
          return store.cleanFinished(later.minus(Duration.ofDays(1)), later.minus(Duration.ofDays(7)), 100);
        } catch (java.sql.SQLException e) {
          throw new IllegalStateException(e);
        }
      });
      awaitLockWait();
      operator.commit();
      assertThat(cleaned.get(20, java.util.concurrent.TimeUnit.SECONDS)).isZero();
    }
    assertThat(job(id).state()).isEqualTo(JobState.CANCELLED);
  }

  /**
   * Defect 6: a job enqueued while its kind is switched to shadow mode never runs. The enqueue's
   * transaction is still open when setShadow starts; the switch waits for it and shadows the job.
   */
  @Test
  void anEnqueueInFlightWhenShadowModeIsSwitchedOnIsShadowed() throws Exception {
    long id;
    try (Connection producer = connect()) {
      producer.setAutoCommit(false);
      id = store.enqueue(producer, NewJob.of("s", "{}"), T0).id();
      java.util.concurrent.CompletableFuture<Integer> shadow = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try {
          return store.setShadow("s", true, T0);
        } catch (java.sql.SQLException e) {
          throw new IllegalStateException(e);
        }
      });
      awaitLockWaitOr(shadow);
      producer.commit();
      shadow.get(20, java.util.concurrent.TimeUnit.SECONDS);
    }
    assertThat(job(id).state()).isEqualTo(JobState.SHADOWED);
    store.setShadow("s", false, T0);
    assertThat(store.claim(List.of("s"), 10, W1, T0).jobs()).isEmpty();
  }

  /** Waits until some session of the test database waits for a lock. */
  private void awaitLockWait() {
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(this::someoneWaitsForALock);
  }

  /** Waits until some session waits for a lock, or {@code done} finished without waiting. */
  private void awaitLockWaitOr(java.util.concurrent.CompletableFuture<?> done) {
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> done.isDone() || someoneWaitsForALock());
  }

  private boolean someoneWaitsForALock() throws Exception {
    try (Connection c = connect(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")) {
      rs.next();
      return rs.getInt(1) > 0;
    }
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
      JobStore.Claim claimed = onOneConnection.claim(List.of("k"), 1, W1, T0);
      assertThat(claimed.jobs()).hasSize(1);
      onOneConnection.complete(List.of(JobStore.Completion.ok(claimed.jobs().get(0), claimed.lease())), List.of(claimed.lease()), W1, T0);
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

  /**
   * Dropping a day partition waits at most lock_timeout (2 s) behind a reader of it, so it never
   * queues every completion behind that reader; the partition is dropped on a later pass.
   */
  @Test
  void partitionDropGivesUpBehindALongReaderAndRetriesNextPass() throws Exception {
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.execute("SELECT sluice.job_finished_ensure_day(date '2020-01-01')");
    }
    Instant after = Instant.parse("2020-01-03T00:00:00Z");
    try (Connection reader = connect()) {
      reader.setAutoCommit(false);
      try (Statement s = reader.createStatement()) {
        s.executeQuery("SELECT count(*) FROM sluice.job_finished_batch_20200101").close();
      }
      int dropped = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> store.cleanFinished(after, after, 100));
      assertThat(dropped).isZero();
      assertThat(partitionExists("job_finished_batch_20200101")).isTrue();
      reader.rollback();
    }
    assertThat(store.cleanFinished(after, after, 100)).isEqualTo(1);
    assertThat(partitionExists("job_finished_batch_20200101")).isFalse();
  }

  private boolean partitionExists(String name) throws Exception {
    try (Connection c = connect(); PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      ps.setString(1, "sluice." + name);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  private long deadWithKey(String kind, String key) throws Exception {
    long id = enqueue(NewJob.builder(kind).dedupeKey(key).build()).id();
    JobStore.Claim claim = store.claim(List.of(kind), 1, W1, T0);
    store.complete(claim.jobs().stream().map(j -> JobStore.Completion.of(j, claim.lease(), JobState.DEAD, null, "gave up", null)).toList(),
        List.of(claim.lease()), W1, T0);
    return id;
  }

  /** A revived dead job takes its dedupe key again; while another job holds the key the revive is refused. */
  @Test
  void revivingADeadJobRetakesItsDedupeKeyOrIsRefused() throws Exception {
    Instant later = T0.plus(Duration.ofDays(8)); // past the default 7-day window: the keys expire
    long alone = deadWithKey("revive-a", "k");
    long bulk = deadWithKey("revive-b", "k");
    long taken = deadWithKey("revive-c", "k");
    store.cleanDedupe(later, 100);
    long newer;
    try (Connection c = connect()) {
      newer = store.enqueue(c, NewJob.builder("revive-c").dedupeKey("k").build(), later).id();
    }

    assertThat(store.retry(alone, later)).isTrue();
    assertThat(store.retryDead(JobFilter.kind("revive-b"), later)).isEqualTo(1);
    try (Connection c = connect()) {
      assertThat(store.enqueue(c, NewJob.builder("revive-a").dedupeKey("k").build(), later)).isEqualTo(new EnqueueResult(alone, false));
      assertThat(store.enqueue(c, NewJob.builder("revive-b").dedupeKey("k").build(), later)).isEqualTo(new EnqueueResult(bulk, false));
    }

    assertThat(store.retry(taken, later)).as("job %d holds the key", newer).isFalse();
    assertThat(store.retryDead(JobFilter.kind("revive-c"), later)).isZero();
    assertThat(job(taken).state()).isEqualTo(JobState.DEAD);
  }

  /**
   * KindPolicy.keepFinished(false): a completed job leaves no job_finished row (find answers empty),
   * while a failed one of the same kind still goes to job_dead and can be retried, its dedupe key
   * stays taken, and other kinds keep their rows.
   */
  @Test
  void aKindThatKeepsNoFinishedRowsStillKeepsDeadJobsAndDedupeKeys() throws Exception {
    store.configureKind("no-history", KindPolicy.builder().keepFinished(false).build(), T0);
    assertThat(store.kinds().stream().filter(k -> k.kind().equals("no-history")).findFirst().orElseThrow().policy().keepFinished()).isFalse();
    long done = enqueue(NewJob.builder("no-history").dedupeKey("once").build()).id();
    long failing = enqueue(NewJob.builder("no-history").maxAttempts(1).build()).id();
    long kept = enqueue(NewJob.of("with-history", "{}")).id();
    JobStore.Claim claim = store.claim(List.of("no-history", "with-history"), 10, W1, T0);
    assertThat(claim.jobs()).hasSize(3);
    Job d = claim.jobs().stream().filter(j -> j.id() == done).findFirst().orElseThrow();
    Job f = claim.jobs().stream().filter(j -> j.id() == failing).findFirst().orElseThrow();
    Job k = claim.jobs().stream().filter(j -> j.id() == kept).findFirst().orElseThrow();
    assertThat(store.complete(List.of(JobStore.Completion.ok(d, claim.lease()), JobStore.Completion.ok(k, claim.lease()),
        JobStore.Completion.of(f, claim.lease(), JobState.DEAD, null, "boom", null)), List.of(claim.lease()), W1, T0)).isEqualTo(3);
    assertThat(store.find(done)).as("completed without a finished row").isEmpty();
    assertThat(job(kept).state()).isEqualTo(JobState.COMPLETED);
    assertThat(job(failing).state()).isEqualTo(JobState.DEAD);
    assertThat(store.retry(failing, T0.plusSeconds(1))).isTrue();
    assertThat(enqueue(NewJob.builder("no-history").dedupeKey("once").build()).created()).as("the key is still held").isFalse();
  }

  /**
   * heartbeat_at is the worker's clock, staleness the rescuer's: a rescuer staleness below 3
   * heartbeat intervals of the worker holding the lease would rescue jobs while they run. The floor
   * is 3 intervals.
   */
  @Test
  void rescueWaitsAtLeastThreeHeartbeatIntervalsOfTheLeaseHolder() throws Exception {
    long id = enqueue(NewJob.builder("hb-floor").build()).id();
    JobStore.Claim claim = ((PostgresJobStore) store).claim(List.of("hb-floor"), 1, W1, Duration.ofSeconds(2), T0);
    assertThat(claim.jobs()).hasSize(1);
    assertThat(store.rescueStale(Duration.ofSeconds(1), 100, T0.plusSeconds(3)))
        .as("stale past the rescuer's 1 s, but within 3 heartbeats of 2 s").isEmpty();
    assertThat(store.rescueStale(Duration.ofSeconds(1), 100, T0.plusSeconds(7))).containsExactly(id);
  }
}
