package dev.sluice.queue;

import dev.sluice.queue.schema.QueueSchema;
import dev.sluice.queue.schema.SqlResource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;

/**
 * JobQueue is the entry point of the durable PostgreSQL job queue: enqueue, per-kind policy,
 * workers, admin and statistics. Built over the caller's {@link DataSource} (it never creates a
 * pool) and living in its own schema (default {@value #DEFAULT_SCHEMA}), migrated by Flyway.
 *
 * <p>Thread-safe. Several processes may use the same schema at once: every cap, pause and policy
 * is stored in PostgreSQL, and every state change checks the state it moves from.
 */
public final class JobQueue {
  /** Schema used when the builder names none. */
  public static final String DEFAULT_SCHEMA = "sluice";

  private final DataSource dataSource;
  private final String schema;
  private final Clock clock;
  private final PostgresJobStore store;
  private final StaleJobRescuer rescuer;
  private final FinishedJobCleaner cleaner;
  private final NotifyDebouncer debouncer;
  /** Tags this queue's enqueue notifications, so its own workers (woken in-process) skip them. */
  private final String origin = UUID.randomUUID().toString();
  /** This queue's running workers, woken in-process when an enqueue of its own commits. */
  private final List<WorkerRuntime> localWorkers = new CopyOnWriteArrayList<>();

  private JobQueue(Builder b) {
    this.dataSource = b.dataSource;
    this.schema = SqlResource.checkSchema(b.schema);
    this.clock = b.clock;
    this.store = new PostgresJobStore(dataSource, schema, b.dedupeWindow);
    this.rescuer = new StaleJobRescuer(store, clock, b.rescueAfter);
    this.cleaner = new FinishedJobCleaner(store, clock, b.keepFinished, b.keepDead);
    this.debouncer = new NotifyDebouncer(store, PostgresJobStore.wokenNotice(origin, "debounced"), NotifyDebouncer.WINDOW_DEFAULT);
  }

  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  /** Creates or upgrades the queue's tables in its schema (Flyway; idempotent, safe to race). */
  public JobQueue migrate() {
    try {
      QueueSchema.migrate(dataSource, schema);
    } catch (IllegalStateException e) {
      throw new JobQueueException(e.getMessage(), e.getCause());
    }
    return this;
  }

  // --- enqueue ---

  /**
   * Enqueues one job in its own transaction. A taken dedupe key answers the existing job's id. This
   * queue's own workers are woken in-process once it has committed; others by NOTIFY.
   */
  public EnqueueResult enqueue(NewJob job) {
    try (Connection c = dataSource.getConnection()) {
      if (!c.getAutoCommit()) c.setAutoCommit(true);
      boolean inline = debouncer.notifyInline();
      Instant now = clock.instant();
      EnqueueResult r = store.enqueue(c, job, now, inline, PostgresJobStore.wokenNotice(origin, job.kind()));
      if (r.created()) {
        if (job.runAt() == null || !job.runAt().isAfter(now)) wakeLocal(job.kind());
        if (!inline) debouncer.skippedAndCommitted();
      }
      return r;
    } catch (SQLException e) {
      throw failure("enqueue of a '" + job.kind() + "' job", e);
    }
  }

  /**
   * Enqueues one job inside the caller's transaction on {@code connection}: if the caller rolls
   * back, the job never existed; workers are woken at commit.
   */
  public EnqueueResult enqueue(Connection connection, NewJob job) {
    try {
      return store.enqueue(connection, job, clock.instant());
    } catch (SQLException e) {
      throw failure("enqueue of a '" + job.kind() + "' job", e);
    }
  }

  /** Enqueues jobs in one transaction of its own; results in input order. */
  public List<EnqueueResult> enqueueAll(List<NewJob> jobs) {
    try (Connection c = dataSource.getConnection()) {
      boolean auto = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        List<EnqueueResult> results = enqueueAll(c, jobs);
        c.commit();
        return results;
      } catch (RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(auto);
      }
    } catch (SQLException e) {
      throw failure("enqueue of " + jobs.size() + " jobs", e);
    }
  }

  /** Enqueues jobs inside the caller's transaction; results in input order. */
  public List<EnqueueResult> enqueueAll(Connection connection, List<NewJob> jobs) {
    List<EnqueueResult> results = new ArrayList<>(jobs.size());
    try {
      for (NewJob job : jobs) results.add(store.enqueue(connection, job, clock.instant()));
    } catch (SQLException e) {
      throw failure("enqueue of " + jobs.size() + " jobs", e);
    }
    return results;
  }

  /**
   * The fastest way in for many jobs (100k+): multi-row inserts of {@value PostgresJobStore#BULK_CHUNK}
   * rows from arrays, in one transaction. Duplicate dedupe keys are skipped silently.
   *
   * @return how many jobs were inserted (duplicates not counted)
   */
  public long bulkEnqueue(List<NewJob> jobs) {
    try (Connection c = dataSource.getConnection()) {
      boolean auto = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        long n = store.bulkEnqueue(c, jobs, clock.instant());
        c.commit();
        return n;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(auto);
      }
    } catch (SQLException e) {
      throw failure("bulk enqueue of " + jobs.size() + " jobs", e);
    }
  }

  /** Like {@link #bulkEnqueue(List)} inside the caller's transaction. */
  public long bulkEnqueue(Connection connection, List<NewJob> jobs) {
    try {
      return store.bulkEnqueue(connection, jobs, clock.instant());
    } catch (SQLException e) {
      throw failure("bulk enqueue of " + jobs.size() + " jobs", e);
    }
  }

  // --- kinds ---

  /** Stores the policy of {@code kind} for every process (upsert; pause and shadow flags are kept). */
  public void configureKind(String kind, KindPolicy policy) {
    Objects.requireNonNull(policy, "policy");
    run("configure kind " + kind, () -> store.configureKind(requireKind(kind), policy, clock.instant()));
  }

  /** The stored policy of {@code kind}, or {@link KindPolicy#DEFAULT}. */
  public KindPolicy kindPolicy(String kind) {
    return kindSettings(kind).map(JobStore.KindSettings::policy).orElse(KindPolicy.DEFAULT);
  }

  /** True when {@code kind} is paused. */
  public boolean isPaused(String kind) {
    return kindSettings(kind).map(JobStore.KindSettings::paused).orElse(false);
  }

  /** True when {@code kind} is in shadow mode. */
  public boolean isShadowed(String kind) {
    return kindSettings(kind).map(JobStore.KindSettings::shadow).orElse(false);
  }

  private Optional<JobStore.KindSettings> kindSettings(String kind) {
    try {
      return store.kinds().stream().filter(k -> k.kind().equals(kind)).findFirst();
    } catch (SQLException e) {
      throw failure("read kind " + kind, e);
    }
  }

  /** Stops every process from claiming jobs of {@code kind}; running ones finish. */
  public void pause(String kind) {
    run("pause " + kind, () -> store.setPaused(requireKind(kind), true, clock.instant()));
  }

  public void resume(String kind) {
    run("resume " + kind, () -> store.setPaused(requireKind(kind), false, clock.instant()));
  }

  /**
   * Shadow mode on: new and waiting jobs of {@code kind} are recorded as {@link JobState#SHADOWED}
   * and their handler is never called. Off: new jobs run again (shadowed ones stay recorded).
   */
  public void shadow(String kind, boolean on) {
    run("shadow " + kind, () -> store.setShadow(requireKind(kind), on, clock.instant()));
  }

  private static String requireKind(String kind) {
    if (kind == null || kind.isBlank()) throw new IllegalArgumentException("job kind must not be blank");
    return kind;
  }

  // --- workers and maintenance ---

  /** Starts configuring a worker pool for this process. */
  public JobWorker.Builder worker() {
    return new JobWorker.Builder(this);
  }

  /** The service that re-queues jobs of dead workers (run by every worker; callable directly). */
  public StaleJobRescuer rescuer() {
    return rescuer;
  }

  /** The retention service (run by every worker; callable directly). */
  public FinishedJobCleaner cleaner() {
    return cleaner;
  }

  /**
   * Deletes finished jobs older than {@code keepFinished} now (dead ones after the cleaner's dead
   * retention) and expired dedupe keys. Returns rows deleted (a dropped day partition counts one).
   */
  public int cleanup(Duration keepFinished) {
    return cleaner.cleanOnce(keepFinished);
  }

  // --- admin and visibility ---

  public Optional<Job> find(long id) {
    try {
      return store.find(id);
    } catch (SQLException e) {
      throw failure("find job " + id, e);
    }
  }

  /** Newest first; {@code state} null = any state. */
  public List<Job> list(JobState state, JobFilter filter, int limit) {
    if (limit < 1) throw new IllegalArgumentException("limit must be at least 1");
    try {
      return store.list(state, filter == null ? JobFilter.any() : filter, limit);
    } catch (SQLException e) {
      throw failure("list jobs", e);
    }
  }

  /** A dead, cancelled or retryable job runs again now with fresh attempts; false if it is in no such state. */
  public boolean retry(long id) {
    try {
      return store.retry(id, clock.instant());
    } catch (SQLException e) {
      throw failure("retry job " + id, e);
    }
  }

  /** Cancels a waiting, running or dead job; false if it is already finished otherwise or absent. */
  public boolean cancel(long id) {
    try {
      return store.cancel(id, clock.instant());
    } catch (SQLException e) {
      throw failure("cancel job " + id, e);
    }
  }

  /** Dead jobs matching {@code filter} run again with fresh attempts; returns how many. */
  public int retryDead(JobFilter filter) {
    try {
      return store.retryDead(filter == null ? JobFilter.any() : filter, clock.instant());
    } catch (SQLException e) {
      throw failure("retry dead jobs", e);
    }
  }

  /** Dead jobs matching {@code filter} become cancelled; returns how many. */
  public int cancelDead(JobFilter filter) {
    try {
      return store.cancelDead(filter == null ? JobFilter.any() : filter, clock.instant());
    } catch (SQLException e) {
      throw failure("cancel dead jobs", e);
    }
  }

  public QueueStats stats() {
    try {
      return store.stats(clock.instant());
    } catch (SQLException e) {
      throw failure("read queue stats", e);
    }
  }

  // --- accessors ---

  public DataSource dataSource() {
    return dataSource;
  }

  public String schema() {
    return schema;
  }

  public Clock clock() {
    return clock;
  }

  /** The LISTEN/NOTIFY channel on which enqueues wake workers. */
  public String notifyChannel() {
    return store.channel();
  }

  PostgresJobStore store() {
    return store;
  }

  /** The id in this queue's {@link PostgresJobStore#wokenNotice woken notices}. */
  String origin() {
    return origin;
  }

  void addLocalWorker(WorkerRuntime worker) {
    localWorkers.add(worker);
  }

  void removeLocalWorker(WorkerRuntime worker) {
    localWorkers.remove(worker);
  }

  /**
   * A job of {@code kind} enqueued through this queue has committed: its workers that handle the
   * kind claim now instead of waiting for the NOTIFY, which pgjdbc hands over only after a further
   * read of up to 1 ms on the LISTEN connection (docs/queue.md, "Wake-ups").
   */
  private void wakeLocal(String kind) {
    for (WorkerRuntime w : localWorkers) w.enqueued(kind);
  }

  private interface SqlAction {
    void run() throws SQLException;
  }

  private static void run(String what, SqlAction action) {
    try {
      action.run();
    } catch (SQLException e) {
      throw failure(what, e);
    }
  }

  static JobQueueException failure(String what, SQLException e) {
    return new JobQueueException(what + " failed: " + e.getMessage(), e);
  }

  /** Builds a {@link JobQueue}; not thread-safe. */
  public static final class Builder {
    private final DataSource dataSource;
    private String schema = DEFAULT_SCHEMA;
    private Clock clock = Clock.systemUTC();
    private Duration rescueAfter = StaleJobRescuer.RESCUE_AFTER_DEFAULT;
    private Duration keepFinished = FinishedJobCleaner.KEEP_FINISHED_DEFAULT;
    private Duration keepDead = FinishedJobCleaner.KEEP_DEAD_DEFAULT;
    private Duration dedupeWindow = KindPolicy.DEDUPE_WINDOW_DEFAULT;

    private Builder(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** Schema of the queue's tables (lower-case identifier); default {@value JobQueue#DEFAULT_SCHEMA}. */
    public Builder schema(String schema) { this.schema = SqlResource.checkSchema(schema); return this; }

    public Builder clock(Clock clock) { this.clock = Objects.requireNonNull(clock); return this; }

    /** Heartbeat staleness after which a running job is rescued (job and kind timeouts limit runs, not this). */
    public Builder rescueAfter(Duration rescueAfter) { this.rescueAfter = positive(rescueAfter, "rescueAfter"); return this; }

    /** How long completed, cancelled and shadowed jobs are kept. */
    public Builder keepFinished(Duration keepFinished) { this.keepFinished = positive(keepFinished, "keepFinished"); return this; }

    /** How long dead jobs are kept for an operator to look at. */
    public Builder keepDead(Duration keepDead) { this.keepDead = positive(keepDead, "keepDead"); return this; }

    /** How long after it finished a job still holds its dedupe key. */
    public Builder dedupeWindow(Duration dedupeWindow) { this.dedupeWindow = positive(dedupeWindow, "dedupeWindow"); return this; }

    private static Duration positive(Duration d, String name) {
      if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive, got " + d);
      return d;
    }

    public JobQueue build() {
      return new JobQueue(this);
    }
  }
}
