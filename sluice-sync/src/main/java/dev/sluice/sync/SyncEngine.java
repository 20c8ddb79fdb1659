package dev.sluice.sync;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.SourceConnector;
import dev.sluice.connectors.SyncMode;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.JobWorker;
import dev.sluice.queue.KindPolicy;
import dev.sluice.queue.NewJob;
import dev.sluice.queue.RetryPolicy;
import dev.sluice.queue.cron.CronScheduler;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * Sync runs: a run reads one stream per object type from a connection, page by page through queue
 * jobs, into the mirror table {@code <schema>.record}, with a checkpoint and an event per page.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>{@link #trigger} answers at once; the run's rows, its {@code run-created} event and its first
 *       page jobs commit in one transaction. A trigger for the same connection and object set while
 *       one is pending, processing or retrying returns that run (enforced by a unique index, so it
 *       holds across processes).
 *   <li>A page's records, the stream's next checkpoint, the page's event and the next page job commit
 *       in one transaction: a worker killed at any point repeats at most the page in flight, and a
 *       repeated page changes nothing (rows are rewritten only when their content hash changes).
 *   <li>A run's status is a projection of its append-only event log ({@link #events}).
 * </ul>
 *
 * <p>Thread-safe. Any number of processes may run the handlers ({@link #registerHandlers}) against
 * one database.
 */
public final class SyncEngine {
  /** Queue job kind of page jobs. */
  public static final String PAGE_JOB_KIND = "sync-page";
  /** Most events returned by one {@link #events} call. */
  public static final int EVENTS_PAGE_LIMIT = 1000;
  private static final int TRIGGER_ATTEMPTS = 5;

  private final JobQueue queue;
  private final DataSource ds;
  private final String schema;
  private final Function<String, SourceConnector> connections;
  private final Clock clock;
  private final SyncSettings settings;
  private final SyncStore store;
  private final PageJobHandler handler;
  private final StalledStreamSweeper sweeper;
  /** How often a server should call {@link #sweepStalledStreams()}. */
  public static final java.time.Duration SWEEP_INTERVAL_DEFAULT = StalledStreamSweeper.SWEEP_INTERVAL_DEFAULT;
  /** Queue job kind that runs one {@link #sweepStalledStreams()}; enqueued by {@link #SWEEP_SCHEDULE}. */
  public static final String SWEEP_JOB_KIND = "sync-sweep";
  /** Name of the queue's cron schedule that enqueues a sweep job ({@link #scheduleSweeps()}). */
  public static final String SWEEP_SCHEDULE = "sluice:sweep-stalled-streams";
  /** Every minute: the queue's cron has minutes as its finest unit. */
  static final String SWEEP_CRON = "* * * * *";

  /** An engine with {@link SyncSettings#DEFAULTS}. */
  public SyncEngine(JobQueue queue, DataSource ds, String schema, Function<String, SourceConnector> connections,
      Clock clock) {
    this(queue, ds, schema, connections, clock, SyncSettings.DEFAULTS);
  }

  /**
   * @param queue the job queue page jobs go through (same database as {@code ds})
   * @param ds the database
   * @param schema where the sync tables live (usually the queue's schema, {@code sluice})
   * @param connections connector by connection name; returns null (or throws) for an unknown name
   * @param clock time source for events and timings
   * @param settings page job retry and timeout policy
   */
  public SyncEngine(JobQueue queue, DataSource ds, String schema, Function<String, SourceConnector> connections,
      Clock clock, SyncSettings settings) {
    this.queue = Objects.requireNonNull(queue, "queue");
    this.ds = Objects.requireNonNull(ds, "ds");
    this.schema = SqlStatements.checkSchema(schema);
    this.connections = Objects.requireNonNull(connections, "connections");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.store = new SyncStore(new SqlStatements(schema));
    this.handler = new PageJobHandler(ds, store, connections, clock, this::enqueuePage);
    this.sweeper = new StalledStreamSweeper(ds, store, clock);
  }

  /**
   * Creates or upgrades the sync tables (Flyway, history table {@code sync_schema_history}), after the
   * queue's own migration, and stores the page job policy. Idempotent; safe to call from every process.
   */
  public void migrate() {
    queue.migrate();
    Flyway.configure(SyncEngine.class.getClassLoader())
        .dataSource(ds)
        .schemas(schema)
        .defaultSchema(schema)
        .table("sync_schema_history")
        .locations("classpath:db/sync")
        // the schema already holds the queue's tables: start our own history below V1
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .load()
        .migrate();
    queue.configureKind(PAGE_JOB_KIND, KindPolicy.builder()
        .retry(RetryPolicy.exponential(settings.retryBase(), settings.retryMax()).jitter(0.2)
            .maxAttempts(settings.pageMaxAttempts()))
        .maxRunning(settings.maxRunningPages())
        .maxRunningPerKey(1)
        .timeout(settings.pageTimeout())
        .build());
    queue.configureKind(SWEEP_JOB_KIND, KindPolicy.builder()
        .retry(RetryPolicy.exponential(settings.retryBase(), settings.retryMax()).maxAttempts(3))
        .maxRunning(1)
        .build());
  }

  /** Registers the page job and sweep job handlers on a worker being built. */
  public void registerHandlers(JobWorker.Builder worker) {
    worker.handle(PAGE_JOB_KIND, handler);
    worker.handle(SWEEP_JOB_KIND, ctx -> sweepStalledStreams());
  }

  /**
   * Declares the cron schedule {@link #SWEEP_SCHEDULE} on {@code cron} (a scheduler of this engine's
   * queue): every {@link #SWEEP_INTERVAL_DEFAULT} one {@link #SWEEP_JOB_KIND} job, once across all
   * processes, runs {@link #sweepStalledStreams()} on whichever worker claims it. Idempotent; call it
   * from every process that runs workers, and run the cron loop ({@code cron.start()}) there.
   */
  public void scheduleSweeps(CronScheduler cron) {
    cron.schedule(SWEEP_SCHEDULE, SWEEP_CRON, NewJob.of(SWEEP_JOB_KIND, "{}"));
  }

  /**
   * Starts a run, or returns the active run for the same connection and object set.
   *
   * @throws IllegalArgumentException unknown connection, or an object type the connection does not read
   */
  public SyncRun trigger(SyncRequest req) {
    SourceConnector connector = connector(req.connection());
    List<String> unknown = req.objects().stream().filter(o -> !connector.objectTypes().contains(o)).toList();
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("connection '" + req.connection() + "' does not read " + unknown
          + " (it reads: " + String.join(", ", connector.objectTypes()) + ")");
    }
    String objectsKey = String.join(",", new TreeSet<>(req.objects()));
    Instant now = clock.instant();
    long runId = inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(store.sql.get("upsert_connection"))) {
        ps.setString(1, req.connection());
        ps.setString(2, connector.platform());
        SyncStore.setInstant(ps, 3, now);
        ps.executeUpdate();
      }
      for (int i = 0; i < TRIGGER_ATTEMPTS; i++) {
        Optional<Long> created = insertRun(c, req, objectsKey, now);
        if (created.isPresent()) {
          createStreams(c, created.get(), req, now);
          return created.get();
        }
        Optional<Long> active = activeRun(c, req.connection(), objectsKey);
        if (active.isPresent()) {
          return active.get();
        }
        // the active run finished between our insert and our look-up: try again
      }
      throw new IllegalStateException("could not create or find a run for " + req.connection() + " " + objectsKey);
    });
    return find(runId).orElseThrow();
  }

  private SourceConnector connector(String name) {
    SourceConnector c;
    try {
      c = connections.apply(name);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("unknown connection '" + name + "': " + e.getMessage(), e);
    }
    if (c == null) {
      throw new IllegalArgumentException("unknown connection '" + name + "'");
    }
    return c;
  }

  private Optional<Long> insertRun(Connection c, SyncRequest req, String objectsKey, Instant now) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(store.sql.get("insert_run"))) {
      ps.setString(1, req.connection());
      ps.setArray(2, c.createArrayOf("text", req.objects().toArray()));
      ps.setString(3, objectsKey);
      ps.setString(4, req.mode().name().toLowerCase(Locale.ROOT));
      SyncStore.setInstant(ps, 5, now);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
      }
    }
  }

  private Optional<Long> activeRun(Connection c, String connection, String objectsKey) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(store.sql.get("find_active_run"))) {
      ps.setString(1, connection);
      ps.setString(2, objectsKey);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
      }
    }
  }

  private void createStreams(Connection c, long runId, SyncRequest req, Instant now) throws SQLException {
    List<StreamState> streams = new ArrayList<>();
    for (int i = 0; i < req.objects().size(); i++) {
      String object = req.objects().get(i);
      Long estimate = req.mode() == SyncMode.FULL ? mirrorCount(c, req.connection(), object) : null;
      Instant since = req.mode() == SyncMode.INCREMENTAL ? lastCompletedStart(c, req.connection(), object) : null;
      try (PreparedStatement ps = c.prepareStatement(store.sql.get("insert_stream"))) {
        ps.setLong(1, runId);
        ps.setString(2, object);
        ps.setInt(3, i);
        SyncStore.setLong(ps, 4, estimate);
        SyncStore.setInstant(ps, 5, since);
        ps.executeUpdate();
      }
      streams.add(StreamState.created(runId, object, estimate, since));
    }
    RunTransaction t = RunTransaction.lockExisting(c, store, runId, now);
    streams.forEach(t::track);
    ArrayNode objects = Json.MAPPER.createArrayNode();
    req.objects().forEach(objects::add);
    ObjectNode p = Json.object().put("connection", req.connection()).put("mode", req.mode().name().toLowerCase(Locale.ROOT));
    p.set("objects", objects);
    t.append(null, SyncEventType.RUN_CREATED, p);
    t.finish();
    for (String object : req.objects()) {
      enqueuePage(c, new PageJob(runId, object, 0, 0));
    }
  }

  private Long mirrorCount(Connection c, String connection, String object) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(store.sql.get("mirror_count"))) {
      ps.setString(1, connection);
      ps.setString(2, object);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        long n = rs.getLong(1);
        return n == 0 ? null : n; // an empty mirror says nothing about the source's size
      }
    }
  }

  private Instant lastCompletedStart(Connection c, String connection, String object) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(store.sql.get("last_completed_stream_start"))) {
      ps.setString(1, object);
      ps.setString(2, connection);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return SyncStore.instant(rs, 1);
      }
    }
  }

  private void enqueuePage(Connection c, PageJob job) {
    queue.enqueue(c, NewJob.builder(PAGE_JOB_KIND)
        .payload(job.json())
        .dedupeKey(job.dedupeKey())
        .concurrencyKey(job.concurrencyKey())
        .build());
  }

  /** The run as its events project it, or empty for an unknown id. */
  public Optional<SyncRun> find(long runId) {
    return inConnection(c -> {
      Optional<RunRow> run = store.run(c, runId, false);
      if (run.isEmpty()) {
        return Optional.empty();
      }
      List<StreamState> streams = store.streams(c, List.of(runId)).getOrDefault(runId, List.of());
      return Optional.of(view(run.get(), streams));
    });
  }

  /** Runs matching the filter, newest first. */
  public List<SyncRun> list(RunFilter f) {
    return inConnection(c -> {
      List<RunRow> runs = store.runs(c, f);
      if (runs.isEmpty()) {
        return List.of();
      }
      Map<Long, List<StreamState>> streams = store.streams(c, runs.stream().map(RunRow::id).toList());
      return runs.stream().map(r -> view(r, streams.getOrDefault(r.id(), List.of()))).toList();
    });
  }

  private SyncRun view(RunRow r, List<StreamState> streams) {
    List<SyncStream> views = streams.stream().map(StreamState::view).toList();
    return new SyncRun(r.id(), r.connection(), r.objects(), r.mode(), r.status(), r.currentObject(), r.phase(), views,
        r.createdAt(), r.startedAt(), r.finishedAt(), r.lastError(),
        RunProjection.eta(r.status(), r.startedAt(), views, clock.instant()), r.lastEventSeq());
  }

  /**
   * Cancels a pending, processing or retrying run: its streams stop after the page in flight (that
   * page is discarded). Cancelling a finished run changes nothing and returns it.
   *
   * @throws NoSuchElementException unknown run
   */
  public SyncRun cancel(long runId) {
    inTransaction(c -> {
      RunTransaction t = RunTransaction.lockExisting(c, store, runId, clock.instant());
      List<StreamState> streams = t.lockStreams();
      if (!t.run().status().active()) {
        return null;
      }
      for (StreamState s : streams) {
        if (!s.status().terminal()) {
          t.append(s.objectType(), SyncEventType.STREAM_CANCELLED, Json.object());
        }
      }
      t.append(null, SyncEventType.RUN_CANCELLED, Json.object());
      t.finish();
      return null;
    });
    return find(runId).orElseThrow(() -> unknownRun(runId));
  }

  /**
   * Re-reads the failed or cancelled streams of a finished run from their last checkpoints; completed
   * streams are not read again. The run becomes pending again under the same id.
   *
   * @throws NoSuchElementException unknown run
   * @throws IllegalStateException the run is still active, completed, or another run for the same
   *     connection and objects is active
   */
  public SyncRun resume(long runId) {
    inTransaction(c -> {
      RunTransaction t = RunTransaction.lockExisting(c, store, runId, clock.instant());
      List<StreamState> streams = t.lockStreams();
      RunStatus status = t.run().status();
      if (status.active()) {
        throw new IllegalStateException("run " + runId + " is " + status.wire() + ": nothing to resume");
      }
      if (status == RunStatus.COMPLETED) {
        throw new IllegalStateException("run " + runId + " completed: nothing to resume");
      }
      ArrayNode names = Json.MAPPER.createArrayNode();
      List<StreamState> again = streams.stream()
          .filter(s -> s.status() == StreamStatus.FAILED || s.status() == StreamStatus.CANCELLED).toList();
      again.forEach(s -> names.add(s.objectType()));
      ObjectNode p = Json.object();
      p.set("streams", names);
      t.append(null, SyncEventType.RUN_RESUMED, p);
      try {
        t.finish();
      } catch (SQLException e) {
        if ("23505".equals(e.getSQLState())) {
          throw new IllegalStateException("another run for connection '" + t.run().connection() + "' and objects "
              + t.run().objects() + " is active: resume run " + runId + " after it finishes");
        }
        throw e;
      }
      for (StreamState s : again) {
        enqueuePage(c, new PageJob(runId, s.objectType(), s.pagesCommitted(), s.generation() + 1));
      }
      return null;
    });
    return find(runId).orElseThrow(() -> unknownRun(runId));
  }

  /** Events of a run with a sequence number above {@code afterSeq}, oldest first, at most {@value #EVENTS_PAGE_LIMIT}. */
  public List<SyncEvent> events(long runId, long afterSeq) {
    return inConnection(c -> store.events(c, runId, afterSeq, EVENTS_PAGE_LIMIT));
  }

  /** A record's mirror row and every page that created or changed it. */
  public RecordHistory explain(String connection, String objectType, String externalId) {
    return inConnection(c -> {
      Optional<RecordHistory.MirrorRow> row = Optional.empty();
      try (PreparedStatement ps = c.prepareStatement(store.sql.get("select_mirror_row"))) {
        ps.setString(1, connection);
        ps.setString(2, objectType);
        ps.setString(3, externalId);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            row = Optional.of(new RecordHistory.MirrorRow(Json.read(rs.getString(1)), Json.read(rs.getString(2)),
                rs.getBoolean(3), SyncStore.instant(rs, 4), rs.getString(5), rs.getLong(6), rs.getLong(7),
                SyncStore.instant(rs, 8)));
          }
        }
      }
      List<RecordHistory.Change> changes = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(store.sql.get("select_record_changes"))) {
        ps.setString(1, connection);
        ps.setString(2, objectType);
        ps.setString(3, externalId);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            changes.add(new RecordHistory.Change(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getString(4),
                Arrays.asList((String[]) rs.getArray(5).getArray()), rs.getString(6), SyncStore.instant(rs, 7)));
          }
        }
      }
      return new RecordHistory(connection, objectType, externalId, row, changes);
    });
  }

  /**
   * Fails streams whose page job can no longer run (dead after its worker died on the last attempt,
   * or cancelled by an operator), so their runs finish and can be resumed. {@link #scheduleSweeps()}
   * runs it every {@link #SWEEP_INTERVAL_DEFAULT} (it is safe from several processes at once).
   * Returns how many failed.
   */
  public int sweepStalledStreams() {
    try {
      return sweeper.sweep();
    } catch (SQLException e) {
      throw new SyncStoreException(e);
    }
  }

  /** The run rebuilt from its event log alone (for checks that the cached projection is true). */
  RunProjection.Replayed replay(long runId) {
    List<SyncEvent> all = new ArrayList<>();
    long after = 0;
    while (true) {
      List<SyncEvent> page = events(runId, after);
      all.addAll(page);
      if (page.size() < EVENTS_PAGE_LIMIT) {
        return RunProjection.replay(runId, all);
      }
      after = page.get(page.size() - 1).seq();
    }
  }

  private static NoSuchElementException unknownRun(long runId) {
    return new NoSuchElementException("no sync run " + runId);
  }

  // ---- plumbing

  private interface SqlWork<T> {
    T run(Connection c) throws SQLException;
  }

  private <T> T inConnection(SqlWork<T> work) {
    try (Connection c = ds.getConnection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw new SyncStoreException(e);
    }
  }

  private <T> T inTransaction(SqlWork<T> work) {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try {
        T out = work.run(c);
        c.commit();
        return out;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new SyncStoreException(e);
    }
  }
}
