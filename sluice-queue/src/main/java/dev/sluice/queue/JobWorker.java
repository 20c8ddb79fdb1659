package dev.sluice.queue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * JobWorker is one process's pool of handlers: it claims batches of jobs in one statement into a
 * local buffer, runs each on a virtual thread, and records outcomes in batches. Idle workers wake
 * in-process when their own {@link JobQueue} commits an enqueue, on LISTEN/NOTIFY (sent by enqueue
 * at commit) for every other one, and poll as a fallback; with
 * {@code listenNotify(false)} polling alone works (e.g. behind PgBouncer in transaction mode).
 *
 * <p>It heartbeats every job it holds, and also runs the queue's maintenance services
 * ({@link StaleJobRescuer}, {@link FinishedJobCleaner}) unless told not to. {@link #close()} is
 * graceful. Thread-safe.
 *
 * <p>Connections: the worker takes up to four from the queue's {@code DataSource} (claimer,
 * completer, heartbeat/maintenance, and the LISTEN connection it holds for its life). Handlers that
 * use the same pool need theirs on top, so size the pool at {@code concurrency + 6} when every
 * handler touches the database; a starved pool delays heartbeats and can get live jobs rescued.
 */
public final class JobWorker implements AutoCloseable {
  public static final int CONCURRENCY_DEFAULT = 32;
  public static final int CLAIM_BATCH_SIZE_DEFAULT = 1000;
  /**
   * Without an explicit {@link Builder#prefetch}, the buffer beyond the running jobs adapts between
   * the concurrency and this many claim batches (see docs/queue.md, "Prefetch").
   */
  public static final int ADAPTIVE_PREFETCH_BATCHES = 4;
  public static final int COMPLETION_BATCH_SIZE_DEFAULT = 500;
  /** Zero: flush whatever has accumulated as soon as the previous flush is done. */
  public static final Duration COMPLETION_FLUSH_INTERVAL_DEFAULT = Duration.ZERO;
  public static final Duration POLL_INTERVAL_DEFAULT = Duration.ofMillis(500);
  public static final Duration HEARTBEAT_INTERVAL_DEFAULT = Duration.ofSeconds(2);
  /** How often a worker re-reads per-kind policy (caps, retries) from the database. */
  public static final Duration KIND_REFRESH_INTERVAL_DEFAULT = Duration.ofSeconds(1);
  /** How long {@link #close()} waits for running handlers before giving up on them. */
  public static final Duration SHUTDOWN_TIMEOUT_DEFAULT = Duration.ofSeconds(30);

  private final WorkerRuntime runtime;

  private JobWorker(WorkerRuntime runtime) {
    this.runtime = runtime;
  }

  /** This worker's id as stored in {@code job.worker_id}. */
  public String id() {
    return runtime.workerId();
  }

  /** Jobs this worker has finished (any outcome) and recorded. */
  public long completedCount() {
    return runtime.recordedCount();
  }

  /**
   * Stops claiming, gives buffered (not yet started) jobs back to READY, waits for running
   * handlers up to the shutdown timeout, flushes their outcomes, and releases connections.
   */
  @Override
  public void close() {
    runtime.close();
  }

  /**
   * Stops at once without giving jobs back or flushing, as if the process died; the rescuer will
   * re-queue what it held. For tests of crash recovery.
   */
  void abandon() {
    runtime.abandon();
  }

  /** Configures a {@link JobWorker}; not thread-safe. */
  public static final class Builder {
    final JobQueue queue;
    final Map<String, JobHandler> handlers = new LinkedHashMap<>();
    int concurrency = CONCURRENCY_DEFAULT;
    int claimBatchSize = CLAIM_BATCH_SIZE_DEFAULT;
    Integer prefetch;
    int completionBatchSize = COMPLETION_BATCH_SIZE_DEFAULT;
    Duration completionFlushInterval = COMPLETION_FLUSH_INTERVAL_DEFAULT;
    Duration pollInterval = POLL_INTERVAL_DEFAULT;
    Duration heartbeatInterval = HEARTBEAT_INTERVAL_DEFAULT;
    Duration kindRefreshInterval = KIND_REFRESH_INTERVAL_DEFAULT;
    Duration shutdownTimeout = SHUTDOWN_TIMEOUT_DEFAULT;
    boolean listenNotify = true;
    boolean maintenance = true;
    Duration rescueInterval = StaleJobRescuer.RUN_INTERVAL_DEFAULT;
    String workerId;

    Builder(JobQueue queue) {
      this.queue = queue;
    }

    /** Runs jobs of {@code kind} with {@code handler}; one handler per kind. */
    public Builder handle(String kind, JobHandler handler) {
      if (kind == null || kind.isBlank()) throw new IllegalArgumentException("job kind must not be blank");
      Objects.requireNonNull(handler, "handler");
      if (handlers.putIfAbsent(kind, handler) != null) throw new IllegalArgumentException("a handler for '" + kind + "' is already registered");
      return this;
    }

    /** Handlers running at once in this process (virtual threads); default {@value JobWorker#CONCURRENCY_DEFAULT}. */
    public Builder concurrency(int concurrency) { this.concurrency = atLeastOne(concurrency, "concurrency"); return this; }

    /** Jobs claimed per statement; default {@value JobWorker#CLAIM_BATCH_SIZE_DEFAULT}. */
    public Builder claimBatchSize(int size) { this.claimBatchSize = atLeastOne(size, "claimBatchSize"); return this; }

    /**
     * Claimed jobs waiting in the local buffer beyond the running ones, fixed. Default: adaptive,
     * from {@code concurrency} up to {@value JobWorker#ADAPTIVE_PREFETCH_BATCHES} claim batches — it
     * grows while the handlers run dry between claims of a deep queue and shrinks when buffered jobs
     * wait over a second to start.
     */
    public Builder prefetch(int prefetch) {
      if (prefetch < 0) throw new IllegalArgumentException("prefetch must not be negative");
      this.prefetch = prefetch;
      return this;
    }

    /** Outcomes per completion statement; default {@value JobWorker#COMPLETION_BATCH_SIZE_DEFAULT}. */
    public Builder completionBatchSize(int size) { this.completionBatchSize = atLeastOne(size, "completionBatchSize"); return this; }

    /** How long outcomes may wait to be batched; default zero (flush as soon as the previous flush ends). */
    public Builder completionFlushInterval(Duration interval) { this.completionFlushInterval = notNegative(interval, "completionFlushInterval"); return this; }

    /** Fallback poll when no notification comes; default 500 ms. */
    public Builder pollInterval(Duration interval) { this.pollInterval = positive(interval, "pollInterval"); return this; }

    public Builder heartbeatInterval(Duration interval) { this.heartbeatInterval = positive(interval, "heartbeatInterval"); return this; }

    public Builder kindRefreshInterval(Duration interval) { this.kindRefreshInterval = positive(interval, "kindRefreshInterval"); return this; }

    public Builder shutdownTimeout(Duration timeout) { this.shutdownTimeout = notNegative(timeout, "shutdownTimeout"); return this; }

    /** LISTEN for enqueue notifications (holds one connection); false = polling only. */
    public Builder listenNotify(boolean listen) { this.listenNotify = listen; return this; }

    /** Run the rescuer and the cleaner in this process too (default true). */
    public Builder maintenance(boolean run) { this.maintenance = run; return this; }

    /** How often this process runs a rescue pass; default {@link StaleJobRescuer#RUN_INTERVAL_DEFAULT}. */
    public Builder rescueInterval(Duration interval) { this.rescueInterval = positive(interval, "rescueInterval"); return this; }

    /** Overrides the generated worker id (host-pid-random). */
    public Builder workerId(String id) { this.workerId = id; return this; }

    /** Starts the worker threads and returns the running worker. */
    public JobWorker start() {
      if (handlers.isEmpty()) throw new IllegalStateException("a worker needs at least one handler (call handle(kind, handler))");
      if (workerId == null) {
        String host = System.getenv().getOrDefault("HOSTNAME", "host");
        workerId = host + "-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
      }
      return new JobWorker(WorkerRuntime.start(this));
    }

    Map<String, JobHandler> handlers() {
      return new HashMap<>(handlers);
    }

    List<String> kinds() {
      return new ArrayList<>(handlers.keySet());
    }

    private static int atLeastOne(int v, String name) {
      if (v < 1) throw new IllegalArgumentException(name + " must be at least 1, got " + v);
      return v;
    }

    private static Duration positive(Duration d, String name) {
      if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive, got " + d);
      return d;
    }

    private static Duration notNegative(Duration d, String name) {
      if (d == null || d.isNegative()) throw new IllegalArgumentException(name + " must not be negative, got " + d);
      return d;
    }
  }
}
