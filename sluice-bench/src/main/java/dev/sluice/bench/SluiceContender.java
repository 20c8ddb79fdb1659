package dev.sluice.bench;

import dev.sluice.queue.JobQueue;
import dev.sluice.queue.JobState;
import dev.sluice.queue.JobWorker;
import dev.sluice.queue.KindPolicy;
import dev.sluice.queue.NewJob;
import dev.sluice.queue.QueueStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;

/** Sluice's own queue ({@code sluice-queue}) through its public API, in this JVM. */
final class SluiceContender {
  static final String NAME = "sluice";
  static final String KIND = "bench-noop";
  /** Jobs per bulk enqueue call, so a million-job backlog never sits in memory at once. */
  static final int ENQUEUE_CHUNK = 50_000;
  /** Unmeasured pickups first: connections, prepared statements and the JIT warm up. */
  static final int PICKUP_WARMUP = 50;
  static final Duration STALL_TIMEOUT = Duration.ofSeconds(120);

  private final int workers;
  private final int claimBatch;
  /** Whether the bench kind keeps a job_finished row per completed job (the queue's default). */
  private final boolean keepFinished;

  SluiceContender(int workers, int claimBatch, boolean keepFinished) {
    this.workers = workers;
    this.claimBatch = claimBatch;
    this.keepFinished = keepFinished;
  }

  String settings() {
    return "1 process x concurrency " + workers + " (virtual threads), claim batch " + claimBatch + ", adaptive prefetch"
        + (keepFinished ? "" : ", no job_finished rows (keepFinished false)");
  }

  /**
   * Works {@code jobs} pre-inserted no-op jobs. With a {@code backlog}, that many more ready jobs of
   * the same kind are enqueued behind them and the clock stops at the {@code jobs}-th completion.
   */
  Throughput run(BenchServer server, int jobs, int backlog) throws Exception {
    try (BenchDatabase db = server.createDatabase(backlog > 0 ? "sluice_deep" : "sluice")) {
      JobQueue queue = JobQueue.builder(db.pool(poolSize())).build();
      queue.migrate();
      if (!keepFinished) queue.configureKind(KIND, KindPolicy.builder().keepFinished(false).build());
      enqueue(queue, jobs, 0);
      enqueue(queue, backlog, jobs);
      db.analyze();

      AtomicLong firstStart = new AtomicLong(Long.MAX_VALUE);
      AtomicLong lastEnd = new AtomicLong(Long.MIN_VALUE);
      AtomicLong handled = new AtomicLong();
      CountDownLatch measured = new CountDownLatch(1);
      CpuMeter cpu = new CpuMeter(server.cpu());
      WalMeter wal = new WalMeter(db);
      wal.start();
      cpu.start();
      JobWorker worker = configure(queue.worker().handle(KIND, ctx -> {
        firstStart.accumulateAndGet(System.nanoTime(), Math::min);
        long n = handled.incrementAndGet();
        if (n <= jobs) lastEnd.accumulateAndGet(System.nanoTime(), Math::max);
        if (n == jobs) measured.countDown();
      })).start();
      try {
        awaitProgress(measured, handled, jobs);
      } finally {
        worker.close();
        cpu.stop();
        wal.stop();
      }
      if (backlog == 0) {
        QueueStats stats = queue.stats();
        // Without finished rows, every job must have left the hot table instead.
        long completed = keepFinished ? stats.count(KIND, JobState.COMPLETED)
            : jobs - stats.count(KIND, JobState.READY) - stats.count(KIND, JobState.RETRYABLE) - stats.count(KIND, JobState.RUNNING)
                - stats.count(KIND, JobState.DEAD) - stats.count(KIND, JobState.CANCELLED);
        if (completed != jobs || handled.get() != jobs) {
          throw new IllegalStateException("sluice completed " + completed + " of " + jobs + " jobs (handler ran " + handled.get() + " times)");
        }
      }
      return new Throughput(jobs, lastEnd.get() - firstStart.get(), cpu.serverSeconds().orElse(Double.NaN),
          cpu.jvmSeconds().orElse(Double.NaN), wal.bytes());
    }
  }

  /**
   * Enqueue → handler start, one job at a time on an idle queue with a running worker. The jobs are
   * enqueued through the worker's own {@link JobQueue} (it wakes its workers in-process at commit),
   * or with {@code throughNotify} through a second one on the same pool, as another process would:
   * the worker is then woken by the NOTIFY.
   */
  PickupLatency pickup(BenchServer server, int samples, Duration gap, boolean throughNotify) throws Exception {
    try (BenchDatabase db = server.createDatabase(throughNotify ? "sluice_pickup_notify" : "sluice_pickup")) {
      JobQueue queue = JobQueue.builder(db.pool(poolSize())).build();
      queue.migrate();
      JobQueue enqueuer = throughNotify ? JobQueue.builder(db.pool(poolSize())).build() : queue;
      SynchronousQueue<Long> started = new SynchronousQueue<>();
      JobWorker worker = configure(queue.worker().handle(KIND, ctx -> {
        long now = System.nanoTime();
        started.put(now - ctx.payload().path("enqueued_nanos").asLong());
      })).start();
      double[] latencies = new double[samples];
      try {
        for (int i = -PICKUP_WARMUP; i < samples; i++) {
          long enqueuedAt = System.nanoTime();
          enqueuer.enqueue(NewJob.of(KIND, "{\"enqueued_nanos\":" + enqueuedAt + "}"));
          Long nanos = started.poll(10, TimeUnit.SECONDS);
          if (nanos == null) throw new IllegalStateException("a job enqueued on an idle queue was not picked up within 10 s");
          if (i >= 0) latencies[i] = nanos / 1e6;
          if (!gap.isZero()) LockSupport.parkNanos(gap.toNanos());
        }
      } finally {
        worker.close();
      }
      return PickupLatency.of(latencies);
    }
  }

  private JobWorker.Builder configure(JobWorker.Builder builder) {
    return builder.concurrency(workers).claimBatchSize(claimBatch);
  }

  private int poolSize() {
    return 16;
  }

  private static void enqueue(JobQueue queue, int count, int firstNumber) {
    for (int done = 0; done < count; ) {
      int n = Math.min(ENQUEUE_CHUNK, count - done);
      List<NewJob> chunk = new ArrayList<>(n);
      for (int i = 0; i < n; i++) chunk.add(NewJob.of(KIND, "{\"n\":" + (firstNumber + done + i) + "}"));
      queue.bulkEnqueue(chunk);
      done += n;
    }
  }

  private static void awaitProgress(CountDownLatch measured, AtomicLong handled, int jobs) throws InterruptedException {
    long last = -1;
    long lastChange = System.nanoTime();
    while (!measured.await(50, TimeUnit.MILLISECONDS)) {
      long now = handled.get();
      if (now != last) {
        last = now;
        lastChange = System.nanoTime();
      } else if (System.nanoTime() - lastChange > STALL_TIMEOUT.toNanos()) {
        throw new IllegalStateException("sluice stalled at " + now + " of " + jobs + " jobs");
      }
    }
  }
}
