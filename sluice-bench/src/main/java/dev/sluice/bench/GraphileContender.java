package dev.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * graphile-worker 0.18 on Node 22, run as separate worker processes by
 * {@code sluice-bench/peers/graphile-bench.cjs} against its own database on the same server.
 * Batched means its best configuration on this machine: 2 processes x 24 concurrency, a local
 * queue of 5,000 and completion batching with a 0 ms delay; unbatched means its defaults (both off).
 */
final class GraphileContender {
  /** A stalled peer (no job finished for this long) is stopped and the run reported as failed. */
  static final Duration STALL_TIMEOUT = Duration.ofSeconds(120);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final NodeRuntime node;
  private final String name;
  private final int processes;
  private final int concurrency;
  private final int localQueueSize;
  private final int batchDelayMs;

  GraphileContender(NodeRuntime node, String name, int processes, int concurrency, int localQueueSize, int batchDelayMs) {
    this.node = node;
    this.name = name;
    this.processes = processes;
    this.concurrency = concurrency;
    this.localQueueSize = localQueueSize;
    this.batchDelayMs = batchDelayMs;
  }

  static GraphileContender batched(NodeRuntime node) {
    return new GraphileContender(node, "graphile_batched", 2, 24, 5_000, 0);
  }

  static GraphileContender unbatched(NodeRuntime node) {
    return new GraphileContender(node, "graphile_unbatched", 2, 24, -1, -1);
  }

  String name() {
    return name;
  }

  /** The settings, as shown next to the figures. */
  String settings() {
    return processes + " processes x concurrency " + concurrency
        + (localQueueSize > 0 ? ", localQueue.size " + localQueueSize : ", no localQueue")
        + (batchDelayMs >= 0 ? ", completeJobBatchDelay " + batchDelayMs + ", failJobBatchDelay " + batchDelayMs : ", no completion batching");
  }

  int processes() {
    return processes;
  }

  int concurrency() {
    return concurrency;
  }

  Throughput run(BenchServer server, int jobs) throws Exception {
    try (BenchDatabase db = server.createDatabase("graphile")) {
      migrate(db);
      try (Connection c = db.connect(); PreparedStatement fill = c.prepareStatement(SqlResource.load("graphile-fill.sql"))) {
        fill.setInt(1, jobs);
        try (ResultSet rs = fill.executeQuery()) {
          rs.next();
        }
      }
      db.analyze();

      List<Process> workers = new ArrayList<>();
      AtomicLongArray done = new AtomicLongArray(processes);
      List<ConcurrentLinkedQueue<JsonNode>> finals = new ArrayList<>();
      List<StringBuilder> errors = new ArrayList<>();
      CpuMeter cpu = new CpuMeter(server.cpu());
      WalMeter wal = new WalMeter(db);
      wal.start();
      cpu.start();
      try {
        for (int i = 0; i < processes; i++) {
          Process p = start(db, List.of("work", Integer.toString(concurrency), Integer.toString(localQueueSize), Integer.toString(batchDelayMs)));
          workers.add(p);
          ConcurrentLinkedQueue<JsonNode> fin = new ConcurrentLinkedQueue<>();
          finals.add(fin);
          StringBuilder err = new StringBuilder();
          errors.add(err);
          int index = i;
          readLines(p, line -> {
            if ("progress".equals(line.path("type").asText())) done.set(index, line.path("done").asLong());
            if ("final".equals(line.path("type").asText())) {
              done.set(index, line.path("done").asLong());
              fin.add(line);
            }
          }, err);
        }
        waitForAll(workers, done, jobs, errors);
        // Closing stdin tells each worker to stop: it finishes running jobs and flushes batched completions.
        for (Process p : workers) p.getOutputStream().close();
        for (int i = 0; i < workers.size(); i++) {
          Process p = workers.get(i);
          if (!p.waitFor(60, TimeUnit.SECONDS)) throw new IllegalStateException(name + " worker did not stop within 60 s");
          if (p.exitValue() != 0) throw new IllegalStateException(name + " worker failed: " + NodeRuntime.lastLines(errors.get(i).toString(), 3));
        }
        cpu.stop();
        wal.stop();
      } finally {
        for (Process p : workers) p.destroyForcibly();
      }

      double first = Double.MAX_VALUE;
      double last = -Double.MAX_VALUE;
      long worked = 0;
      double nodeCpuSeconds = 0;
      for (ConcurrentLinkedQueue<JsonNode> fin : finals) {
        JsonNode f = fin.peek();
        if (f == null) throw new IllegalStateException(name + " worker exited without reporting its timings");
        worked += f.path("done").asLong();
        nodeCpuSeconds += f.path("cpu_ms").asDouble(Double.NaN) / 1000.0;
        if (f.path("done").asLong() > 0) {
          first = Math.min(first, f.path("first_start_ms").asDouble());
          last = Math.max(last, f.path("last_end_ms").asDouble());
        }
      }
      try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(SqlResource.load("graphile-remaining.sql"));
           ResultSet rs = s.executeQuery()) {
        rs.next();
        long remaining = rs.getLong(1);
        if (remaining != 0 || worked != jobs) {
          throw new IllegalStateException(name + " left " + remaining + " jobs in its table (handlers ran " + worked + " of " + jobs + ")");
        }
      }
      return new Throughput(jobs, Math.round((last - first) * 1e6), cpu.serverSeconds().orElse(Double.NaN), nodeCpuSeconds,
          wal.bytes());
    }
  }

  /** Pickup latency on an idle queue: one process, these settings, one job at a time. */
  PickupLatency pickup(BenchServer server, int samples, Duration gap) throws Exception {
    try (BenchDatabase db = server.createDatabase("graphile_pickup")) {
      migrate(db);
      Process p = start(db, List.of("latency", Integer.toString(samples), Long.toString(gap.toMillis()),
          Integer.toString(concurrency), Integer.toString(localQueueSize), Integer.toString(batchDelayMs)));
      ConcurrentLinkedQueue<JsonNode> result = new ConcurrentLinkedQueue<>();
      StringBuilder err = new StringBuilder();
      try {
        p.getOutputStream().close();
        Thread reader = readLines(p, line -> {
          if ("latency".equals(line.path("type").asText())) result.add(line);
        }, err);
        long budgetSeconds = 60 + samples * (gap.toMillis() + 50) / 1000;
        if (!p.waitFor(budgetSeconds, TimeUnit.SECONDS)) throw new IllegalStateException(name + " latency run did not finish within " + budgetSeconds + " s");
        reader.join();
        if (p.exitValue() != 0 || result.isEmpty()) {
          throw new IllegalStateException(name + " latency run failed: " + NodeRuntime.lastLines(err.toString(), 3));
        }
      } finally {
        p.destroyForcibly();
      }
      JsonNode latencies = result.peek().path("latencies_ms");
      double[] ms = new double[latencies.size()];
      for (int i = 0; i < ms.length; i++) ms[i] = latencies.get(i).asDouble();
      return PickupLatency.of(ms);
    }
  }

  private void migrate(BenchDatabase db) throws Exception {
    Process p = start(db, List.of("migrate"));
    p.getOutputStream().close();
    StringBuilder err = new StringBuilder();
    Thread reader = readLines(p, line -> {}, err);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("graphile-worker migrations did not finish within 120 s");
    }
    reader.join();
    if (p.exitValue() != 0) throw new IllegalStateException("graphile-worker migrations failed: " + NodeRuntime.lastLines(err.toString(), 3));
  }

  private Process start(BenchDatabase db, List<String> args) throws IOException {
    List<String> command = new ArrayList<>(List.of(node.node().toString(), "graphile-bench.cjs"));
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).directory(node.peersDir().toFile());
    pb.environment().put("DATABASE_URL", db.connectionString());
    // As graphile-worker's own perfTest does: no log line per completed job.
    pb.environment().put("NO_LOG_SUCCESS", "1");
    return pb.start();
  }

  /** Reads the process's JSON lines on a virtual thread, and its stderr into {@code err}. */
  private static Thread readLines(Process p, java.util.function.Consumer<JsonNode> onLine, StringBuilder err) {
    Thread.ofVirtual().start(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          synchronized (err) {
            if (err.length() < 20_000) err.append(line).append('\n');
          }
        }
      } catch (IOException ignored) {
        // the process went away; its exit code tells the story
      }
    });
    return Thread.ofVirtual().start(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          if (!line.startsWith("{")) continue;
          try {
            onLine.accept(JSON.readTree(line));
          } catch (IOException ignored) {
            // not one of our lines
          }
        }
      } catch (IOException ignored) {
        // the process went away
      }
    });
  }

  private void waitForAll(List<Process> workers, AtomicLongArray done, int jobs, List<StringBuilder> errors) throws InterruptedException {
    long lastTotal = -1;
    long lastChange = System.nanoTime();
    while (true) {
      long total = 0;
      for (int i = 0; i < done.length(); i++) total += done.get(i);
      if (total >= jobs) return;
      for (int i = 0; i < workers.size(); i++) {
        if (!workers.get(i).isAlive()) {
          throw new IllegalStateException(name + " worker exited early: " + NodeRuntime.lastLines(errors.get(i).toString(), 3));
        }
      }
      if (total != lastTotal) {
        lastTotal = total;
        lastChange = System.nanoTime();
      } else if (System.nanoTime() - lastChange > STALL_TIMEOUT.toNanos()) {
        throw new IllegalStateException(name + " stalled at " + total + " of " + jobs + " jobs");
      }
      TimeUnit.MILLISECONDS.sleep(10);
    }
  }
}
