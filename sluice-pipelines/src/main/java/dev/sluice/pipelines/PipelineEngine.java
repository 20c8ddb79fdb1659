package dev.sluice.pipelines;

import dev.sluice.connectors.DestinationConnector;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.JobWorker;
import dev.sluice.queue.KindPolicy;
import dev.sluice.queue.NewJob;
import dev.sluice.queue.PermanentJobFailure;
import dev.sluice.queue.RetryPolicy;
import dev.sluice.queue.cron.CronScheduler;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * Pipeline runs: a run pushes the mirror records of one source object type that changed since the
 * pipeline last pushed them to the destination, through the pipeline's {@link Mapping}, batch by batch
 * through queue jobs, with a result per record and an event per batch.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>{@link #trigger} answers at once; the run row, its {@code run-created} event and its first
 *       batch job commit in one transaction. A trigger while the pipeline has a pending or processing
 *       run returns that run (a unique index, so across processes too).
 *   <li>A batch's results, the run's position and counts and the batch event commit in one
 *       transaction after the destination answered: a killed worker repeats at most the batches in
 *       flight, and the destination's upsert on the match field makes the repeat harmless.
 *   <li>One job of a run runs at a time (one job chain, concurrency key per pipeline, the run row
 *       naming the job that owns it); a job overlaps its batches (the next ones planned and their
 *       calls made while earlier ones commit, in order) with at most the destination's {@link
 *       DestinationConnector#maxCallsInFlight} calls in flight, and each batch uploads its records in
 *       up to {@link #CALLS_PER_BATCH} destination calls, planned together (identity, echo,
 *       duplicates) and committed together.
 * </ul>
 *
 * <p>Thread-safe. Any number of processes may run the handlers ({@link #registerHandlers}).
 */
public final class PipelineEngine {
  /** Queue job kind of batch jobs. */
  public static final String BATCH_JOB_KIND = "pipeline-batch";
  /** Queue job kind that triggers a run of the pipeline named in its payload (cron schedules). */
  public static final String TRIGGER_JOB_KIND = "pipeline-trigger";
  /**
   * Destination calls of one batch: a batch takes up to this many times the destination's batch size
   * of records and uploads them in that many calls at once, each under the connection's limits; a
   * job keeps several batches in flight, up to the destination's concurrency.
   */
  public static final int CALLS_PER_BATCH = 4;
  /** Most events or results one call returns. */
  public static final int PAGE_LIMIT = 1000;
  static final int BATCH_MAX_ATTEMPTS = 8;

  private final JobQueue queue;
  private final DataSource ds;
  private final String schema;
  private final Map<String, Pipeline> pipelines;
  private final Clock clock;
  private final PipelineStore store;
  private final BatchJobHandler handler;

  /**
   * @param queue the job queue batch jobs go through (same database as {@code ds})
   * @param schema where the mirror ({@code record}) and the pipeline tables live, usually {@code sluice}
   * @param pipelines the configured pipelines by name
   * @param destinations destination connector by connection name
   */
  public PipelineEngine(JobQueue queue, DataSource ds, String schema, Map<String, Pipeline> pipelines,
      Function<String, DestinationConnector> destinations, Clock clock) {
    this.queue = Objects.requireNonNull(queue, "queue");
    this.ds = Objects.requireNonNull(ds, "ds");
    this.schema = dev.sluice.queue.schema.SqlResource.checkSchema(schema);
    this.pipelines = Map.copyOf(pipelines);
    this.clock = Objects.requireNonNull(clock, "clock");
    this.store = new PipelineStore(schema);
    this.handler = new BatchJobHandler(ds, store, this.pipelines::get, Objects.requireNonNull(destinations, "destinations"),
        clock, this::enqueueBatch);
  }

  /**
   * Creates or upgrades the pipeline tables (Flyway, history {@code pipelines_schema_history}) and
   * stores the batch job policy. The mirror's own migration (sluice-sync) must have run. Idempotent.
   */
  public void migrate() {
    Flyway.configure(PipelineEngine.class.getClassLoader())
        .dataSource(ds)
        .schemas(schema)
        .defaultSchema(schema)
        .table("pipelines_schema_history")
        .locations("classpath:db/pipelines")
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .load()
        .migrate();
    queue.configureKind(BATCH_JOB_KIND, KindPolicy.builder()
        .retry(RetryPolicy.exponential(Duration.ofMillis(500), Duration.ofSeconds(30)).jitter(0.2).maxAttempts(BATCH_MAX_ATTEMPTS))
        .maxRunningPerKey(1)
        .timeout(Duration.ofMinutes(2))
        .build());
    queue.configureKind(TRIGGER_JOB_KIND, KindPolicy.builder()
        .retry(RetryPolicy.exponential(Duration.ofSeconds(1), Duration.ofSeconds(30)).maxAttempts(3))
        .build());
  }

  /** Registers the batch and trigger job handlers on a worker being built. */
  public void registerHandlers(JobWorker.Builder worker) {
    worker.handle(BATCH_JOB_KIND, handler);
    worker.handle(TRIGGER_JOB_KIND, ctx -> {
      String name = ctx.payload().path("pipeline").asText("");
      if (!pipelines.containsKey(name)) {
        throw new PermanentJobFailure("no pipeline named '" + name + "' is configured");
      }
      trigger(name, "cron");
    });
  }

  /**
   * Declares one cron schedule {@code pipeline:<name>} per pipeline with a {@code cron}; each tick
   * enqueues one trigger job, once across all processes. Idempotent.
   */
  public void schedule(CronScheduler cron) {
    for (Pipeline p : pipelines.values()) {
      if (p.cron() != null && !p.cron().isBlank()) {
        cron.schedule("pipeline:" + p.name(), p.cron(), NewJob.of(TRIGGER_JOB_KIND, PipelineStore.json(Map.of("pipeline", p.name()))));
      }
    }
  }

  /** The configured pipelines. */
  public Collection<Pipeline> pipelines() {
    return pipelines.values();
  }

  /** The pipeline named {@code name}, if configured. */
  public Optional<Pipeline> pipeline(String name) {
    return Optional.ofNullable(pipelines.get(name));
  }

  /**
   * Starts a run of {@code pipeline}, or returns its active run.
   *
   * @param trigger who asked, e.g. {@code api}, {@code cron}, {@code cli}
   * @throws NoSuchElementException when no such pipeline is configured
   */
  public PipelineRun trigger(String pipeline, String trigger) {
    if (!pipelines.containsKey(pipeline)) {
      throw new NoSuchElementException("no pipeline named '" + pipeline + "' (configured: "
          + String.join(", ", new java.util.TreeSet<>(pipelines.keySet())) + ")");
    }
    Instant now = clock.instant();
    long id = inTransaction(c -> {
      for (int i = 0; i < 5; i++) {
        Optional<Long> created = store.firstLong(c, "insert_run", "pipeline", pipeline, "trigger", trigger, "now", now);
        if (created.isPresent()) {
          store.event(c, created.get(), "run-created", Map.of("pipeline", pipeline, "trigger", trigger), now);
          enqueueBatch(c, new BatchJob(created.get(), 0, 0), pipeline);
          return created.get();
        }
        Optional<Long> active = store.firstLong(c, "find_active_run", "pipeline", pipeline);
        if (active.isPresent()) return active.get();
      }
      throw new IllegalStateException("could not create or find a run of pipeline " + pipeline);
    });
    return find(id).orElseThrow();
  }

  /** The run, if it exists. */
  public Optional<PipelineRun> find(long id) {
    return read(c -> store.run(c, id));
  }

  /** Runs newest first, optionally of one pipeline and status, with ids below {@code before}. */
  public List<PipelineRun> list(String pipeline, PipelineRunStatus status, long before, int limit) {
    return read(c -> store.runs(c, "list_runs", "pipeline", pipeline, "status", status == null ? null : status.wire(),
        "before", before <= 0 ? Long.MAX_VALUE : before, "limit", Math.max(1, Math.min(limit, PAGE_LIMIT))));
  }

  /** The run's events after sequence number {@code after}, oldest first, at most {@link #PAGE_LIMIT}. */
  public List<PipelineEvent> events(long run, long after) {
    return read(c -> store.events(c, run, after, PAGE_LIMIT));
  }

  /** The run's per-record results, by source id after {@code after}, optionally of one status. */
  public List<RecordResult> results(long run, String status, String after, int limit) {
    return read(c -> store.results(c, run, status, after == null ? "" : after, Math.max(1, Math.min(limit, PAGE_LIMIT))));
  }

  /**
   * The run's per-record results counted by status ({@code synced}, {@code failed}, {@code skipped})
   * and reason ({@code echo}, {@code conflict}, {@code unchanged}, {@code archived}, {@code unsubscribed}, {@code mapping},
   * {@code duplicate}, {@code destination}; {@code ""} for none).
   */
  public Map<String, Map<String, Long>> breakdown(long run) {
    return read(c -> store.breakdown(c, run));
  }

  /** Cancels a pending or processing run; false when it was not active. A batch in flight commits nothing. */
  public boolean cancel(long run) {
    Instant now = clock.instant();
    return inTransaction(c -> {
      if (store.update(c, "cancel_run", "run", run, "now", now) == 0) return false;
      store.event(c, run, "run-cancelled", Map.of(), now);
      return true;
    });
  }

  /**
   * Resumes a failed or cancelled run from its position under a new generation.
   *
   * @return the run, or empty when it was not failed or cancelled
   */
  public Optional<PipelineRun> resume(long run) {
    Instant now = clock.instant();
    boolean resumed = inTransaction(c -> {
      var r = store.runs(c, "select_run", "id", run);
      if (r.isEmpty()) return false;
      Optional<Long> generation = store.firstLong(c, "resume_run", "run", run);
      if (generation.isEmpty()) return false;
      store.event(c, run, "run-resumed", Map.of("generation", generation.get()), now);
      enqueueBatch(c, new BatchJob(run, r.get(0).batchesCommitted(), generation.get().intValue()), r.get(0).pipeline());
      return true;
    });
    return resumed ? find(run) : Optional.empty();
  }

  private void enqueueBatch(Connection c, BatchJob job, String pipeline) {
    queue.enqueue(c, NewJob.builder(BATCH_JOB_KIND).payload(job.json()).dedupeKey(job.dedupeKey())
        .concurrencyKey("pipeline:" + pipeline).maxAttempts(BATCH_MAX_ATTEMPTS).build());
  }

  private <T> T read(Transactions.Work<T> work) {
    try {
      return Transactions.read(ds, work);
    } catch (SQLException e) {
      throw new IllegalStateException("pipeline store: " + e.getMessage(), e);
    }
  }

  private <T> T inTransaction(Transactions.Work<T> work) {
    try {
      return Transactions.inTransaction(ds, work);
    } catch (SQLException e) {
      throw new IllegalStateException("pipeline store: " + e.getMessage(), e);
    }
  }
}
