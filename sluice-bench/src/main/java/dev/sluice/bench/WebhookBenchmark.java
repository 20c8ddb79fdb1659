package dev.sluice.bench;

import dev.sluice.sandbox.hubspot.HubSpotWebhooks;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * {@code sluice bench webhooks}: signed HubSpot batches of 1..maxEvents events from concurrent
 * clients against a child {@code sluice serve} on the bench PostgreSQL (embedded, synchronous
 * commit on). Two servers in one run: group commit (the default settings) and one transaction per
 * request ({@code inbound.commit_batch: 1} with as many committers as clients), each on a fresh
 * database. Every 20th request re-sends an earlier batch (a duplicate delivery). At the end the
 * stored events are counted against the distinct events acknowledged: lost and duplicated.
 */
public final class WebhookBenchmark {
  static final String APP_SECRET = "bench-app-secret";
  static final String CONNECTION = "hubspot-bench";
  private static final Duration STARTUP = Duration.ofSeconds(120);

  private final WebhookBenchOptions options;
  private final Consumer<String> log;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .executor(Executors.newVirtualThreadPerTaskExecutor()).build();

  public WebhookBenchmark(WebhookBenchOptions options, Consumer<String> log) {
    this.options = options;
    this.log = log;
  }

  /** One server's results in one run; {@code cpuSeconds} = the serve process and PostgreSQL, NaN when not measurable. */
  private record Phase(long requests, long events, double seconds, Percentiles latency, double cpuSeconds) {
    double rate() {
      return requests / seconds;
    }

    /** CPU milliseconds per event (serve + PostgreSQL), NaN when not measurable. */
    double cpuMsPerEvent() {
      return cpuSeconds * 1000 / events;
    }
  }

  /** What a child server stored versus what it acknowledged. */
  private record Tally(long acknowledged, long stored, long storedDistinct) {}

  public WebhookBenchReport run() throws Exception {
    double[] loadAtStart = QueueBenchmark.loadAverage();
    try (BenchServer server = BenchServer.open(options.databaseUrl(), options.home(), null)) {
      log.accept("PostgreSQL: " + server.description());
      List<WebhookBenchReport.Run> runs = new ArrayList<>();
      long lost = 0;
      long duplicates = 0;
      for (int run = 1; run <= options.runs(); run++) {
        // baseline and contender alternate, each on a fresh database, so a change of load hits both
        Phase[] baseline = new Phase[1];
        String tag = "run " + run + "/" + options.runs() + ": ";
        Tally baselineTally = withServer(server, "webhooks_baseline",
            Map.of("commit_batch", "1", "committers", Integer.toString(options.clients())),
            (url, cpu) -> baseline[0] = closedLoop(url, cpu, tag + "one transaction per request"));
        Phase[] group = new Phase[2];
        Tally groupTally = withServer(server, "webhooks_group", Map.of(), (url, cpu) -> {
          group[0] = closedLoop(url, cpu, tag + "group commit");
          group[1] = paced(url, tag);
        });
        lost += Math.max(0, groupTally.acknowledged() - groupTally.storedDistinct())
            + Math.max(0, baselineTally.acknowledged() - baselineTally.storedDistinct());
        duplicates += (groupTally.stored() - groupTally.storedDistinct()) + (baselineTally.stored() - baselineTally.storedDistinct());
        runs.add(new WebhookBenchReport.Run(group[0].requests(), group[0].events(), group[1].latency().at(50), group[1].latency().at(99),
            group[1].rate(), group[0].rate(), baseline[0].rate(), group[0].latency().at(99), baseline[0].latency().at(99),
            group[0].cpuMsPerEvent(), baseline[0].cpuMsPerEvent(), QueueBenchmark.loadAverage()));
      }
      return new WebhookBenchReport(runs, options.pacedRate(), lost, duplicates, server.description(), loadAtStart,
          QueueBenchmark.loadAverage());
    }
  }

  @FunctionalInterface
  private interface Body {
    void run(URI hookUrl, ProcessCpu cpu) throws Exception;
  }

  /** The load's HTTP client, one per child server (the same for baseline and group commit). */
  private volatile BenchHttp client;
  private final java.util.Set<Long> acknowledged = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final AtomicLong eventIds = new AtomicLong(1_000_000_000L);
  private volatile long measuredFrom;

  private Tally withServer(BenchServer server, String name, Map<String, String> inbound, Body body) throws Exception {
    acknowledged.clear();
    try (BenchDatabase db = server.createDatabase(name)) {
      Path dir = Files.createTempDirectory("sluice-bench-webhooks");
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      StringBuilder inboundYaml = new StringBuilder();
      inbound.forEach((k, v) -> inboundYaml.append("  ").append(k).append(": ").append(v).append('\n'));
      Path config = dir.resolve("sluice.yaml");
      Files.writeString(config, """
          connections:
            %s:
              platform: hubspot
              base_url: http://127.0.0.1:9
              token: not-used
              webhooks:
                app_secret: ${HUBSPOT_APP_SECRET}
          database:
            url: %s
          workers:
            concurrency: 2
          %s""".formatted(CONNECTION, db.connectionString(), inbound.isEmpty() ? "" : "inbound:\n" + inboundYaml));
      List<String> cmd = new ArrayList<>(options.sluice());
      cmd.addAll(List.of("serve", "--config", config.toString(), "--host", "127.0.0.1", "--port", Integer.toString(port)));
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(dir.resolve("serve.log").toFile());
      pb.environment().remove("SLUICE_CONFIG");
      pb.environment().remove("SLUICE_DATABASE_URL");
      pb.environment().put("SLUICE_API_TOKEN", "bench-token-0123456789abcdef-0123456789");
      pb.environment().put("HUBSPOT_APP_SECRET", APP_SECRET);
      pb.environment().put("SLUICE_LOG_LEVEL", "WARN");
      Process serve = pb.start();
      URI base = URI.create("http://127.0.0.1:" + port);
      try (BenchHttp load = new BenchHttp(base)) {
        client = load;
        awaitHealthy(serve, base, dir.resolve("serve.log"));
        URI hook = base.resolve("/hooks/hubspot/" + CONNECTION);
        warmUp(hook);
        acknowledged.clear();
        measuredFrom = eventIds.get();
        ServerCpu pg;
        try (Connection c = db.connect()) {
          pg = ServerCpu.of(c);
        }
        body.run(hook, new ProcessCpu(serve.pid(), pg));
      } finally {
        serve.destroy();
        if (!serve.waitFor(30, TimeUnit.SECONDS)) serve.destroyForcibly().waitFor();
      }
      try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(SqlResource.load("webhook-stored-events.sql"))) {
        ps.setLong(1, measuredFrom); // the warm-up's events are stored too, but not counted as acknowledged
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return new Tally(acknowledged.size(), rs.getLong(1), rs.getLong(2));
        }
      }
    }
  }

  private void awaitHealthy(Process serve, URI base, Path log) throws Exception {
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (System.nanoTime() < deadline) {
      if (!serve.isAlive()) throw new IllegalStateException("sluice serve exited: " + tail(log));
      try {
        if (http.send(HttpRequest.newBuilder(base.resolve("/healthz")).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100); // polling a child process that has no other way to say it is ready
    }
    throw new IllegalStateException("sluice serve did not become healthy in " + STARTUP.toSeconds() + " s: " + tail(log));
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log);
    return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
  }

  /** A signed request; records its event ids as acknowledged when the answer is 2xx. */
  private final class Batch {
    final long[] ids;
    final byte[] body;

    Batch(Random random) {
      int n = 1 + random.nextInt(options.maxEvents());
      ids = new long[n];
      StringBuilder b = new StringBuilder(n * 260).append('[');
      long now = System.currentTimeMillis();
      for (int i = 0; i < n; i++) {
        ids[i] = eventIds.getAndIncrement();
        if (i > 0) b.append(',');
        b.append("{\"objectId\":").append(100 + random.nextInt(1_000_000)).append(",\"propertyName\":\"lifecyclestage\",")
            .append("\"propertyValue\":\"customer\",\"changeSource\":\"CRM\",\"eventId\":").append(ids[i])
            .append(",\"subscriptionId\":102,\"portalId\":62515,\"appId\":1160452,\"occurredAt\":").append(now)
            .append(",\"subscriptionType\":\"contact.propertyChange\",\"attemptNumber\":0}");
      }
      body = b.append(']').toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Sends until a 2xx (as HubSpot retries); answers the milliseconds of the acknowledged try. */
    double send(URI hook) throws Exception {
      for (int attempt = 0; ; attempt++) {
        String ts = Long.toString(System.currentTimeMillis());
        String sig = HubSpotWebhooks.signatureV3(APP_SECRET, "POST", hook.toString(), new String(body, StandardCharsets.UTF_8), ts);
        long start = System.nanoTime();
        int status;
        try {
          status = client.post(hook.getRawPath(), body, Duration.ofSeconds(10), "Content-Type: application/json",
              "X-HubSpot-Signature-v3: " + sig, "X-HubSpot-Request-Timestamp: " + ts).status();
        } catch (BenchHttp.Timeout e) {
          status = -1; // no answer in time: the sender tries again, as HubSpot does
        } catch (java.io.IOException e) {
          // refused or reset (a burst of new connections overflows the server's accept queue): the
          // sender tries again after a pause, as HubSpot does; the paced latency counts the wait
          status = -2;
          Thread.sleep(100L << attempt);
        }
        double ms = (System.nanoTime() - start) / 1e6;
        if (status / 100 == 2) {
          for (long id : ids) acknowledged.add(id);
          return ms;
        }
        if (attempt >= 5) throw new IllegalStateException("no 2xx in six tries of one batch (last: " + status + ")");
      }
    }
  }

  private void warmUp(URI hook) throws Exception {
    Random random = new Random(7);
    for (int i = 0; i < 200; i++) new Batch(random).send(hook);
  }

  /** {@code options.requests()} requests from {@code options.clients()} senders, back to back. */
  private Phase closedLoop(URI hook, ProcessCpu cpu, String what) throws Exception {
    AtomicInteger next = new AtomicInteger();
    AtomicLong events = new AtomicLong();
    ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
    List<Batch> sent = java.util.Collections.synchronizedList(new ArrayList<>());
    double cpuStart = cpu.secondsWhenQuiet(); // the warm-up's queued work done first
    double serveStart = cpu.childSeconds();
    long start = System.nanoTime();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> clients = new ArrayList<>();
      for (int c = 0; c < options.clients(); c++) {
        Random random = new Random(c);
        clients.add(pool.submit(() -> {
          int i;
          while ((i = next.getAndIncrement()) < options.requests()) {
            // every 20th request delivers an earlier batch again, as HubSpot does now and then
            boolean again = i % 20 == 19 && !sent.isEmpty();
            Batch b = again ? sent.get(random.nextInt(sent.size())) : new Batch(random);
            if (!again) sent.add(b);
            latencies.add(b.send(hook));
            events.addAndGet(b.ids.length);
          }
          return null;
        }));
      }
      for (Future<?> f : clients) f.get();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    // the work an event causes after its ack (its job, the mirror note's refresh) counts too
    double cpuSeconds = cpu.secondsWhenQuiet() - cpuStart;
    double serveSeconds = cpu.childSeconds() - serveStart;
    Phase p = new Phase(options.requests(), events.get(), seconds, Percentiles.of(latencies.stream().mapToDouble(Double::doubleValue).toArray()),
        cpuSeconds);
    log.accept(String.format(java.util.Locale.ROOT, "%s: %d requests (%d events) in %.1f s = %.1f requests/s, ack p99 %.1f ms,"
        + " %.3f ms CPU per event (serve %.3f + PostgreSQL %.3f), load %s",
        what, p.requests(), p.events(), seconds, p.rate(), p.latency().at(99), p.cpuMsPerEvent(),
        serveSeconds * 1000 / p.events(), (cpuSeconds - serveSeconds) * 1000 / p.events(),
        java.util.Arrays.toString(QueueBenchmark.loadAverage())));
    return p;
  }

  /**
   * Requests at a fixed rate (open loop): latency counts from when each was due, so queueing shows.
   * At most {@code options.clients()} are in flight, as a sender caps its concurrency (HubSpot: 10
   * per account): a request due while all are busy waits for one, and that wait is in its latency.
   * Unbounded, a server behind the rate gets a new connection per due request until its accept
   * queue overflows and the sender gives up, which measured the client, not the server.
   */
  private Phase paced(URI hook, String tag) throws Exception {
    int total = options.pacedRate() * options.pacedSeconds();
    long intervalNanos = 1_000_000_000L / options.pacedRate();
    ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
    AtomicLong events = new AtomicLong();
    Random random = new Random(99);
    List<Batch> batches = new ArrayList<>(total);
    for (int i = 0; i < total; i++) batches.add(new Batch(random));
    java.util.concurrent.Semaphore senders = new java.util.concurrent.Semaphore(options.clients());
    long start = System.nanoTime();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> all = new ArrayList<>(total);
      for (int i = 0; i < total; i++) {
        long due = start + i * intervalNanos;
        long wait = due - System.nanoTime();
        if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait); // pacing the sender, not waiting for a state
        Batch b = batches.get(i);
        all.add(pool.submit(() -> {
          senders.acquire();
          try {
            b.send(hook);
          } finally {
            senders.release();
          }
          latencies.add((System.nanoTime() - due) / 1e6);
          events.addAndGet(b.ids.length);
          return null;
        }));
      }
      for (Future<?> f : all) f.get();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Phase p = new Phase(total, events.get(), seconds, Percentiles.of(latencies.stream().mapToDouble(Double::doubleValue).toArray()),
        Double.NaN);
    log.accept(String.format(java.util.Locale.ROOT, tag + "paced at %d/s: %d requests in %.1f s, ack p50 %.2f ms, p99 %.2f ms",
        options.pacedRate(), total, seconds, p.latency().at(50), p.latency().at(99)));
    return p;
  }
}
