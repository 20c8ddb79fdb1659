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
  private final RecordHistoryReader history;
  private final RunStarter starter;
  private final SyncHistoryCleaner cleaner;
  /** How often a server should call {@link #sweepStalledStreams()}. */
  public static final java.time.Duration SWEEP_INTERVAL_DEFAULT = StalledStreamSweeper.SWEEP_INTERVAL_DEFAULT;
  /** Queue job kind that runs one {@link #sweepStalledStreams()}; enqueued by {@link #SWEEP_SCHEDULE}. */
  public static final String SWEEP_JOB_KIND = "sync-sweep";
  /** Name of the queue's cron schedule that enqueues a sweep job ({@link #scheduleSweeps()}). */
  public static final String SWEEP_SCHEDULE = "sluice:sweep-stalled-streams";
  /** Every minute: the queue's cron has minutes as its finest unit. */
  static final String SWEEP_CRON = "* * * * *";
  /** Queue job kind that runs one {@link #cleanHistory} pass; enqueued by {@link #CLEAN_SCHEDULE}. */
  public static final String CLEAN_JOB_KIND = "sync-clean";
  /** Name of the queue's cron schedule that enqueues a cleaning job ({@link #scheduleCleaning}). */
  public static final String CLEAN_SCHEDULE = "sluice:clean-sync-history";
  /** Every ten minutes. */
  static final String CLEAN_CRON = "*/10 * * * *";

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
    this.history = new RecordHistoryReader(store);
    this.starter = new RunStarter(store, this::enqueuePage);
    this.cleaner = new SyncHistoryCleaner(ds, store, clock);
  }

  /** The schema the sync tables live in (for readers such as /metrics that read them directly). */
  public String schema() {
    return schema;
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
    queue.configureKind(CLEAN_JOB_KIND, KindPolicy.builder()
        .retry(RetryPolicy.exponential(settings.retryBase(), settings.retryMax()).maxAttempts(3))
        .maxRunning(1)
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
    worker.handle(CLEAN_JOB_KIND, ctx -> cleanHistory(SyncRetention.fromJson(ctx.payload())));
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
        Optional<Long> created = starter.insertRun(c, req, objectsKey, now);
        if (created.isPresent()) {
          starter.createStreams(c, created.get(), req, now);
          return created.get();
        }
        Optional<Long> active = starter.activeRun(c, req.connection(), objectsKey);
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

  /** Most changes one {@link #explain} call returns. */
  public static final int HISTORY_PAGE_LIMIT = 1000;
  /** Changes returned when the caller does not say how many. */
  public static final int HISTORY_PAGE_DEFAULT = 100;

  /** A record's mirror row and the first {@value #HISTORY_PAGE_DEFAULT} pages that created or changed it. */
  public RecordHistory explain(String connection, String objectType, String externalId) {
    return explain(connection, objectType, externalId, 0, HISTORY_PAGE_DEFAULT);
  }

  /**
   * A record's mirror row and the changes after event sequence {@code afterSeq} (0 for the first),
   * oldest first, at most {@code limit}; {@link RecordHistory#nextAfter()} continues.
   *
   * @throws IllegalArgumentException {@code limit} outside 1..{@value #HISTORY_PAGE_LIMIT} or a negative cursor
   */
  public RecordHistory explain(String connection, String objectType, String externalId, long afterSeq, int limit) {
    if (limit < 1 || limit > HISTORY_PAGE_LIMIT) {
      throw new IllegalArgumentException("limit must be between 1 and " + HISTORY_PAGE_LIMIT + ", got " + limit);
    }
    if (afterSeq < 0) {
      throw new IllegalArgumentException("after must be 0 or more, got " + afterSeq);
    }
    return inConnection(c -> history.read(c, connection, objectType, externalId, afterSeq, limit));
  }

  /**
   * Deletes sync history past {@code retention} (events, record changes, then runs with their
   * streams; never the mirror, never an active run, never the run an incremental read would start
   * from). In batches; safe from several processes. Returns the rows deleted per table.
   */
  public CleanResult cleanHistory(SyncRetention retention) {
    try {
      SyncHistoryCleaner.Result r = cleaner.clean(retention);
      return new CleanResult(r.events(), r.recordChanges(), r.runs());
    } catch (SQLException e) {
      throw new SyncStoreException(e);
    }
  }

  /** Rows one {@link #cleanHistory} pass deleted: {@code sync_event}, {@code record_change}, {@code sync_run} (with their streams). */
  public record CleanResult(long events, long recordChanges, long runs) {}

  /**
   * Declares the cron schedule {@link #CLEAN_SCHEDULE} on {@code cron}: every ten minutes one
   * {@link #CLEAN_JOB_KIND} job, once across all processes, runs {@link #cleanHistory} with
   * {@code retention} (carried in the job, so every worker applies the same). Declaring it again
   * with another retention changes it. Run the cron loop in some process.
   */
  public void scheduleCleaning(CronScheduler cron, SyncRetention retention) {
    cron.schedule(CLEAN_SCHEDULE, CLEAN_CRON, NewJob.of(CLEAN_JOB_KIND, Json.write(retention.json())));
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
