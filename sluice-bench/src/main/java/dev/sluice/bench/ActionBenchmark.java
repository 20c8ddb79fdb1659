package dev.sluice.bench;

import dev.sluice.connectors.RateLimitGate;
import dev.sluice.connectors.RateLimitSpec;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.ratelimit.RateLimits;
import dev.sluice.rules.ActionPriority;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * {@code sluice bench actions}: a bulk sync and a rule's actions on one connection's rolling-window
 * bucket in PostgreSQL, on real time. Sync threads (each with its own limiter, as separate worker
 * processes would be) take permits as fast as they are granted (a sync
 * at the limit, through {@link ActionPriority#forSyncs()}); an action arrives at a fixed interval and
 * takes one permit through {@link ActionPriority#forActions()}. Reports each action's wait
 * (p50/p99/max, against the window) and the sync's permits as a share of what the ceiling left it:
 * {@code sync_ratio_of_ceiling = sync permits / (limit × windows − action permits)}. With
 * {@code --no-priority} the actions take permits like the sync does (the control).
 */
public final class ActionBenchmark {
  /** The options of one run. */
  public record Options(int limit, Duration window, Duration run, Duration actionEvery, int syncThreads, boolean priority,
      String databaseUrl, java.nio.file.Path home) {
    public static final int DEFAULT_LIMIT = 60;
    public static final long DEFAULT_WINDOW_MS = 3_000;
    public static final int DEFAULT_SECONDS = 30;
    public static final long DEFAULT_ACTION_EVERY_MS = 700;
    public static final int DEFAULT_SYNC_THREADS = 4;

    public Options {
      if (limit < 2) throw new IllegalArgumentException("--limit must be at least 2");
      if (window.compareTo(Duration.ofMillis(2_001)) < 0) {
        // connectors pace windows of up to 2 s one permit at a time (QueueRateLimitGate): no headroom fits in such a bucket
        throw new IllegalArgumentException("--window-ms must be above 2000 (a rolling window, as HubSpot's 10 s)");
      }
      if (run.compareTo(window.multipliedBy(2)) < 0) throw new IllegalArgumentException("--seconds must cover at least two windows");
      if (actionEvery.isNegative() || actionEvery.isZero()) throw new IllegalArgumentException("--action-every-ms must be positive");
      if (syncThreads < 1) throw new IllegalArgumentException("--sync-threads must be at least 1");
    }
  }

  /** What one run measured. */
  public record Report(int limit, long windowMs, double seconds, boolean priority, int actions, int actionsGranted, double actionWaitP50Ms,
      double actionWaitP99Ms, double actionWaitMaxMs, long syncPermits, long ceiling, double syncRatioOfCeiling) {

    /** True when every action had its permit within one window (plus 10% for scheduling) and the sync used ≥ 90% of the rest. */
    public boolean holds() {
      return actionsGranted == actions && actionWaitMaxMs <= windowMs * 1.1 && syncRatioOfCeiling >= 0.9;
    }

    public String toJson() {
      return String.format(Locale.ROOT, "{\"limit\":%d,\"window_ms\":%d,\"seconds\":%.1f,\"priority\":%s,\"actions\":%d,\"actions_granted\":%d,"
          + "\"action_wait_p50_ms\":%.1f,\"action_wait_p99_ms\":%.1f,\"action_wait_max_ms\":%.1f,\"sync_permits\":%d,\"ceiling\":%d,"
          + "\"sync_ratio_of_ceiling\":%.3f}", limit, windowMs, seconds, priority, actions, actionsGranted, actionWaitP50Ms, actionWaitP99Ms,
          actionWaitMaxMs, syncPermits, ceiling, syncRatioOfCeiling);
    }

    public String toTable() {
      return String.format(Locale.ROOT, "actions first on a shared budget (%s): limit %d per %d ms, %.1f s%n"
          + "  actions         %d granted of %d; wait p50 %.1f ms, p99 %.1f ms, max %.1f ms (one window = %d ms)%n"
          + "  sync            %d permits of the %d the ceiling left (ceiling %d): ratio %.3f%n",
          priority ? "priority" : "control, no priority", limit, windowMs, seconds, actionsGranted, actions, actionWaitP50Ms, actionWaitP99Ms,
          actionWaitMaxMs, windowMs, syncPermits, ceiling - actionsGranted, ceiling, syncRatioOfCeiling);
    }
  }

  private final Options options;
  private final Consumer<String> log;

  public ActionBenchmark(Options options, Consumer<String> log) {
    this.options = options;
    this.log = log;
  }

  public Report run() throws Exception {
    try (BenchServer server = BenchServer.open(options.databaseUrl(), options.home(), null);
        BenchDatabase db = server.createDatabase("actions")) {
      DataSource ds = db.pool(options.syncThreads() + 8);
      JobQueue queue = JobQueue.builder(ds).build().migrate();
      RateLimits limits = new RateLimits(ds, queue.schema(), Clock.systemUTC());
      ActionPriority priority = new ActionPriority(ds, queue.schema(), limits, Clock.systemUTC()).migrate();
      RateLimitGate syncs = priority.forSyncs();
      RateLimitGate actions = options.priority() ? priority.forActions() : syncs; // the actions' process
      String bucket = "crm:window";
      syncs.define(bucket, RateLimitSpec.of(options.limit(), options.window()));
      List<String> names = List.of(bucket);
      log.accept("sync at the limit of " + options.limit() + " per " + options.window().toMillis() + " ms for "
          + options.run().toSeconds() + " s, an action every " + options.actionEvery().toMillis() + " ms"
          + (options.priority() ? "" : " (control: no priority)"));

      AtomicBoolean running = new AtomicBoolean(true);
      AtomicLong syncPermits = new AtomicLong();
      ConcurrentLinkedQueue<Double> waits = new ConcurrentLinkedQueue<>();
      AtomicLong actionsSent = new AtomicLong();
      ExecutorService pool = Executors.newCachedThreadPool();
      long start = System.nanoTime();
      long end = start + options.run().toNanos();
      for (int i = 0; i < options.syncThreads(); i++) {
        // each sync thread stands for its own worker process: its own limiter, no wait line shared with the others
        RateLimitGate sync = new ActionPriority(ds, queue.schema(), new RateLimits(ds, queue.schema(), Clock.systemUTC()), Clock.systemUTC()).forSyncs();
        pool.submit(() -> {
          while (running.get() && System.nanoTime() < end) {
            if (sync.acquire(names, 1, Duration.ofSeconds(2)).isEmpty() && System.nanoTime() < end) syncPermits.incrementAndGet();
          }
          return null;
        });
      }
      List<java.util.concurrent.Future<?>> actionRuns = new ArrayList<>();
      // the first action comes after one window: the sync holds the limit by then
      for (long at = start + options.window().toNanos(); at < end - options.window().toNanos(); at += options.actionEvery().toNanos()) {
        long sleep = at - System.nanoTime();
        if (sleep > 0) TimeUnit.NANOSECONDS.sleep(sleep);
        actionsSent.incrementAndGet();
        actionRuns.add(pool.submit(() -> {
          long asked = System.nanoTime();
          // an action job retries until it has its permit; each acquire waits up to 2 s as the connector does
          while (actions.acquire(names, 1, Duration.ofSeconds(2)).isPresent()) {
            if (System.nanoTime() - asked > options.run().toNanos()) return null;
          }
          waits.add((System.nanoTime() - asked) / 1e6);
          return null;
        }));
      }
      for (java.util.concurrent.Future<?> f : actionRuns) f.get();
      long remaining = end - System.nanoTime();
      if (remaining > 0) TimeUnit.NANOSECONDS.sleep(remaining);
      running.set(false);
      pool.shutdown();
      pool.awaitTermination(30, TimeUnit.SECONDS);
      double seconds = (Math.max(end, System.nanoTime()) - start) / 1e9;
      long windows = (long) Math.ceil(options.run().toNanos() / (double) options.window().toNanos());
      // a rolling window grants at most `limit` in any window: over the run, limit × windows (the first
      // window included; the connector stretches each window by 2%, so the sync's share is a little under 1)
      long ceiling = options.limit() * windows;
      int granted = waits.size();
      double[] w = waits.stream().mapToDouble(Double::doubleValue).toArray();
      Percentiles p = w.length == 0 ? null : Percentiles.of(w);
      return new Report(options.limit(), options.window().toMillis(), seconds, options.priority(), (int) actionsSent.get(), granted,
          p == null ? Double.NaN : p.at(50), p == null ? Double.NaN : p.at(99), p == null ? Double.NaN : p.max(),
          syncPermits.get(), ceiling, (double) syncPermits.get() / Math.max(1, ceiling - granted));
    }
  }
}
