package dev.sluice.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code sluice bench queue}: Sluice's queue against graphile-worker 0.18 and a one-job-per-claim
 * loop on the same PostgreSQL, each in a fresh database per run, runs alternating between the
 * contenders so that a change in machine load hits all of them alike.
 *
 * <p>Every throughput run bulk-inserts the jobs with the contender's own bulk path, runs
 * {@code ANALYZE}, then times from the first handler start to the last handler end, and checks
 * that every job was worked. Not thread-safe: one benchmark at a time.
 */
public final class QueueBenchmark {
  private final QueueBenchOptions options;
  private final Consumer<String> progress;

  /** {@code progress} receives one human-readable line per step (the CLI prints them on stderr). */
  public QueueBenchmark(QueueBenchOptions options, Consumer<String> progress) {
    this.options = options;
    this.progress = progress;
  }

  public QueueBenchReport run() {
    Instant started = Instant.now();
    double[] loadAtStart = loadAverage();
    try (BenchServer server = BenchServer.open(options.databaseUrl(), options.home(), options.synchronousCommit())) {
      progress.accept("database: " + server.description());
      SluiceContender sluice = new SluiceContender(options.workers(), options.claimBatch(), !options.noFinishedRows());
      ContenderResult sluiceResult = new ContenderResult(SluiceContender.NAME, sluice.settings());
      ContenderResult deepResult = options.skipDeep() ? null
          : new ContenderResult(SluiceContender.NAME + "_deep", String.format(Locale.ROOT,
              "%,d measured jobs ahead of %,d more ready jobs of the same kind", options.jobs(), options.deepBacklog()));

      ContenderResult notifyResult = options.skipPickup() ? null : new ContenderResult(SluiceContender.NAME + "_notify",
          "pickup only: enqueued through a second JobQueue, as another process would, so the worker is woken by NOTIFY");
      Map<String, ContenderResult> peers = new LinkedHashMap<>();
      GraphileContender batched = null;
      GraphileContender unbatched = null;
      OneJobLoopContender loop = null;
      if (!options.skipPeers()) {
        try {
          NodeRuntime node = NodeRuntime.prepare(progress);
          batched = GraphileContender.batched(node);
          peers.put(batched.name(), new ContenderResult(batched.name(), "graphile-worker 0.18.0 on Node 22, " + batched.settings()));
          if (options.unbatched()) {
            unbatched = GraphileContender.unbatched(node);
          }
        } catch (PeerUnavailable e) {
          progress.accept("graphile-worker peer skipped: " + e.getMessage());
          peers.put("graphile_batched", ContenderResult.skipped("graphile_batched", e.getMessage()));
        }
        if (!options.skipLoop()) {
          loop = new OneJobLoopContender(options.loopWorkers());
          peers.put(OneJobLoopContender.NAME, new ContenderResult(OneJobLoopContender.NAME,
              loop.workers() + " worker threads, one connection each, one job per transaction (seed 003's loop)"));
        }
        if (unbatched != null) {
          peers.put(unbatched.name(), new ContenderResult(unbatched.name(), "graphile-worker 0.18.0 on Node 22, " + unbatched.settings()));
        }
      }

      for (int run = 1; run <= options.runs(); run++) {
        String tag = "run " + run + "/" + options.runs() + ": ";
        int jobs = options.jobs();
        measure(tag, sluiceResult, () -> sluice.run(server, jobs, 0));
        if (batched != null) {
          GraphileContender g = batched;
          measure(tag, peers.get(g.name()), () -> g.run(server, jobs));
        }
        if (loop != null) {
          OneJobLoopContender l = loop;
          measure(tag, peers.get(OneJobLoopContender.NAME), () -> l.run(server, jobs));
        }
        if (unbatched != null) {
          GraphileContender g = unbatched;
          measure(tag, peers.get(g.name()), () -> g.run(server, jobs));
        }
        if (deepResult != null) {
          measure(tag, deepResult, () -> sluice.run(server, jobs, options.deepBacklog()));
        }
        if (options.skipPickup()) continue;
        pickup(tag, sluiceResult, () -> sluice.pickup(server, options.pickupSamples(), options.pickupGap(), false));
        if (batched != null) {
          GraphileContender g = batched;
          pickup(tag, peers.get(g.name()), () -> g.pickup(server, options.pickupSamples(), options.pickupGap()));
        }
        pickup(tag, notifyResult, () -> sluice.pickup(server, options.pickupSamples(), options.pickupGap(), true));
      }
      QueueBenchReport report = new QueueBenchReport(options, server.description(), sluiceResult, deepResult, notifyResult, peers,
          started, Instant.now(), loadAtStart, loadAverage());
      return report;
    }
  }

  /** One measured step; throws anything. */
  @FunctionalInterface
  private interface Step<T> {
    T call() throws Exception;
  }

  private void measure(String tag, ContenderResult result, Step<Throughput> step) {
    progress.accept(tag + result.name() + " ...");
    try {
      Throughput t = step.call();
      result.addRun(t);
      progress.accept(String.format(Locale.ROOT, "%s%s: %,d jobs in %.3f s = %,.0f jobs/s", tag, result.name(), t.jobs(), t.seconds(), t.jobsPerSec()));
    } catch (Exception e) {
      String message = e.getMessage() == null ? e.toString() : e.getMessage();
      result.addFailure(message);
      progress.accept(tag + result.name() + " FAILED: " + message);
    }
  }

  private void pickup(String tag, ContenderResult result, Step<PickupLatency> step) {
    progress.accept(tag + result.name() + " pickup latency (" + options.pickupSamples() + " jobs one at a time) ...");
    try {
      PickupLatency p = step.call();
      result.addPickup(p);
      progress.accept(String.format(Locale.ROOT, "%s%s pickup: p50 %.2f ms, p99 %.2f ms, max %.2f ms", tag, result.name(), p.p50Ms(), p.p99Ms(), p.maxMs()));
    } catch (Exception e) {
      String message = e.getMessage() == null ? e.toString() : e.getMessage();
      result.addFailure("pickup: " + message);
      progress.accept(tag + result.name() + " pickup FAILED: " + message);
    }
  }

  /** The 1, 5 and 15 minute load averages from /proc/loadavg; null where there is none. */
  static double[] loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return new double[] {Double.parseDouble(parts[0]), Double.parseDouble(parts[1]), Double.parseDouble(parts[2])};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
