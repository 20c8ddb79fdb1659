package dev.sluice.bench;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What {@link QueueBenchmark} measures and against which server.
 *
 * @param jobs          no-op jobs per throughput run (each contender gets the same number)
 * @param runs          alternating runs per contender; the report gives the median
 * @param workers       Sluice worker concurrency (virtual threads)
 * @param claimBatch    how many jobs one Sluice claim takes at most
 * @param loopWorkers   worker threads (each with its own connection) of the one-job loop
 * @param deepBacklog   extra ready jobs waiting behind the measured ones in the deep run
 * @param pickupSamples jobs enqueued one at a time on an idle queue for the pickup latency
 * @param pickupGap     pause between two pickup samples
 * @param skipPeers     measure Sluice alone
 * @param skipDeep      leave out the deep-queue run
 * @param skipLoop      leave out the one-job loop (its runs take the longest)
 * @param skipPickup    leave out the pickup-latency measurements
 * @param noFinishedRows configure Sluice's bench kind with {@code KindPolicy.keepFinished(false)}
 *                      (no {@code job_finished} row per job, as graphile-worker keeps none)
 * @param unbatched     also run graphile-worker with its default (unbatched) settings
 * @param databaseUrl   the server to use; null or blank = the embedded one
 * @param synchronousCommit "on" or "off" set on every bench database; null keeps the server's setting
 * @param home          Sluice's data folder ({@code .sluice}); the embedded bench server keeps its data under it
 */
public record QueueBenchOptions(int jobs, int runs, int workers, int claimBatch, int loopWorkers, int deepBacklog,
                                int pickupSamples, Duration pickupGap, boolean skipPeers, boolean skipDeep,
                                boolean skipLoop, boolean skipPickup, boolean noFinishedRows,
                                boolean unbatched, String databaseUrl, String synchronousCommit, Path home) {
  public static final int DEFAULT_JOBS = 100_000;
  public static final int DEFAULT_RUNS = 3;
  public static final int DEFAULT_WORKERS = dev.sluice.queue.JobWorker.CONCURRENCY_DEFAULT;
  public static final int DEFAULT_CLAIM_BATCH = dev.sluice.queue.JobWorker.CLAIM_BATCH_SIZE_DEFAULT;
  public static final int DEFAULT_LOOP_WORKERS = 16;
  public static final int DEFAULT_DEEP_BACKLOG = 1_000_000;
  public static final int DEFAULT_PICKUP_SAMPLES = 2_000;
  public static final Duration DEFAULT_PICKUP_GAP = Duration.ofMillis(3);

  public QueueBenchOptions {
    if (jobs < 1) throw new IllegalArgumentException("--jobs must be at least 1");
    if (runs < 1) throw new IllegalArgumentException("--runs must be at least 1");
    if (workers < 1) throw new IllegalArgumentException("--workers must be at least 1");
    if (claimBatch < 1) throw new IllegalArgumentException("--claim-batch must be at least 1");
    if (loopWorkers < 1) throw new IllegalArgumentException("--loop-workers must be at least 1");
    if (deepBacklog < 0) throw new IllegalArgumentException("--deep-backlog must not be negative");
    if (pickupSamples < 1) throw new IllegalArgumentException("--pickup-samples must be at least 1");
    if (pickupGap == null || pickupGap.isNegative()) throw new IllegalArgumentException("the pickup gap must not be negative");
    if (synchronousCommit != null && !synchronousCommit.equals("on") && !synchronousCommit.equals("off")) {
      throw new IllegalArgumentException("--synchronous-commit must be on or off, not '" + synchronousCommit + "'");
    }
    if (home == null) throw new IllegalArgumentException("home is required");
  }

  /** The defaults of {@code sluice bench queue}. */
  public static QueueBenchOptions defaults(Path home) {
    return new QueueBenchOptions(DEFAULT_JOBS, DEFAULT_RUNS, DEFAULT_WORKERS, DEFAULT_CLAIM_BATCH, DEFAULT_LOOP_WORKERS,
        DEFAULT_DEEP_BACKLOG, DEFAULT_PICKUP_SAMPLES, DEFAULT_PICKUP_GAP, false, false, false, false, false, false, null, null, home);
  }
}
