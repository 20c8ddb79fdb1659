package dev.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectorFactory;
import dev.sluice.connectors.DestinationConnector;
import dev.sluice.connectors.QueueRateLimitGate;
import dev.sluice.connectors.RateLimitSpec;
import dev.sluice.pipelines.Mapping;
import dev.sluice.pipelines.Pipeline;
import dev.sluice.pipelines.PipelineEngine;
import dev.sluice.pipelines.PipelineRun;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.JobWorker;
import dev.sluice.queue.ratelimit.RateLimits;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.salesforce.SalesforceOptions;
import dev.sluice.sandbox.salesforce.SalesforceSandbox;
import dev.sluice.sync.SyncEngine;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code sluice bench pipeline}: N mirror contacts pushed through a mapping to the sandbox Salesforce
 * by the real pipeline engine, queue, connector and shared rate limit, on a fresh database (the
 * embedded PostgreSQL keeps synchronous_commit and fsync on), timed from the trigger to the run's
 * end; then the sandbox is read back and every mirror contact must be there exactly once. The
 * sandbox runs in a child JVM unless the options say otherwise.
 *
 * <p>The ceiling is what the destination's write limit allows for the calls the run needs. The
 * registry's Salesforce limit is a rolling 24 h allocation that a run of a few hundred calls never
 * reaches, so the bench gives the connection a write limit per 10 s in its place (a per-connection
 * override, as any connection may have), and the ratio shows how much of that limit the run used.
 */
public final class PipelineBenchmark {
  static final String SOURCE = "mirror-bench";
  static final String DESTINATION = "salesforce-bench";
  static final String PIPELINE = "bench-contacts-to-salesforce";
  static final String MAPPING = """
      fields:
        Email: {from: source.email, type: email, required: true}
        FirstName: source.firstname
        LastName: {from: source.lastname, required: true}
        Phone: source.phone
      """;
  static final Duration STALL_TIMEOUT = Duration.ofMinutes(5);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PipelineBenchOptions options;
  private final Consumer<String> progress;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

  public PipelineBenchmark(PipelineBenchOptions options, Consumer<String> progress) {
    this.options = options;
    this.progress = progress;
  }

  /** Where the destination runs: its API root, admin API, token, and how to stop it. */
  private record Target(String baseUrl, String adminUrl, String token, String placement, String description, AutoCloseable closer)
      implements AutoCloseable {
    @Override
    public void close() throws Exception {
      closer.close();
    }
  }

  public PipelineBenchReport run() throws Exception {
    double[] loadAtStart = QueueBenchmark.loadAverage();
    try (BenchServer server = BenchServer.open(options.databaseUrl(), options.home(), null);
         BenchDatabase db = server.createDatabase("pipeline");
         Target sandbox = startSandbox()) {
      progress.accept("database: " + server.description());
      progress.accept(sandbox.description());
      var ds = db.pool(options.workers() + 8);
      JobQueue queue = JobQueue.builder(ds).build();
      new SyncEngine(queue, ds, "sluice", name -> null, Clock.systemUTC()).migrate(); // the mirror's tables
      fillMirror(db);
      progress.accept(String.format(Locale.ROOT, "mirror: %,d contacts of %s", options.records(), SOURCE));

      ConnectorFactory factory = new ConnectorFactory(
          QueueRateLimitGate.of(new RateLimits(queue.dataSource(), queue.schema(), queue.clock())), Clock.systemUTC());
      ConnectionConfig sf = ConnectionConfig.builder(DESTINATION, "salesforce").baseUrl(sandbox.baseUrl())
          .token(sandbox.token(), "sandbox")
          .limit("daily", RateLimitSpec.of(options.salesforceRequestsPer10s(), Duration.ofSeconds(10))).build();
      DestinationConnector destination = factory.destination(sf);
      Pipeline pipeline = new Pipeline(PIPELINE, SOURCE, "contacts", DESTINATION, "Contact", "Email",
          Mapping.parse(MAPPING, "bench mapping"), 0, null);
      PipelineEngine engine = new PipelineEngine(queue, ds, "sluice", Map.of(PIPELINE, pipeline),
          name -> DESTINATION.equals(name) ? destination : null, Clock.systemUTC());
      engine.migrate();
      db.analyze();
      JobWorker.Builder wb = queue.worker().concurrency(options.workers());
      engine.registerHandlers(wb);
      long too429Before = tooManyRequests(sandbox);
      PipelineRun run;
      long started;
      try (JobWorker worker = wb.start()) {
        started = System.nanoTime();
        run = engine.trigger(PIPELINE, "bench");
        run = awaitEnd(engine, run.id());
      } finally {
        destination.close();
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      long served429 = tooManyRequests(sandbox) - too429Before;
      progress.accept(String.format(Locale.ROOT, "run %d %s in %.1f s; reading the sandbox back", run.id(),
          run.status().wire(), seconds));
      long[] lostAndDuplicates = readBack(sandbox);
      return new PipelineBenchReport(options.records(), run.synced(), seconds, run.writeCalls(), destination.maxBatchSize(),
          options.salesforceRequestsPer10s(), served429, lostAndDuplicates[0], lostAndDuplicates[1], run.status().wire(),
          "salesforce Contact", server.description(), sandbox.placement(), options.workers(), loadAtStart, QueueBenchmark.loadAverage());
    }
  }

  private Target startSandbox() throws IOException, InterruptedException {
    if (options.sandboxCommand() == null) {
      Sandbox s = Sandbox.builder().platform(new SalesforceSandbox(SalesforceOptions.builder().counts(0, 0, 0, 0).build())).start();
      return new Target(s.baseUrl(), s.adminUrl(), SalesforceOptions.DEFAULT_ACCESS_TOKEN, "in-process",
          "sandbox (in this JVM) at " + s.baseUrl(), s::close);
    }
    ChildSandbox child = ChildSandbox.start(options.sandboxCommand(), List.of("--port", "0", "--seed", "42",
        "--salesforce-contacts", "0", "--mailchimp-members", "0"), options.home().resolve("bench").resolve("pipeline-sandbox.log"));
    JsonNode sf = child.ready().path("salesforce");
    return new Target(sf.path("instance_url").asText(), child.ready().path("admin_url").asText(), sf.path("access_token").asText(),
        "child-process", child.description(), child::close);
  }

  private void fillMirror(BenchDatabase db) throws Exception {
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(SqlResource.load("pipeline-mirror-fill.sql"))) {
      s.setString(1, SOURCE);
      s.setInt(2, options.records());
      s.executeUpdate();
    }
  }

  private long tooManyRequests(Target t) throws IOException, InterruptedException {
    return admin(t, "/counters").path("too_many_requests_served").asLong();
  }

  /** {lost, duplicates}: every mirror contact's e-mail address must be on exactly one sandbox Contact. */
  private long[] readBack(Target t) throws IOException, InterruptedException {
    Map<String, Integer> seen = new HashMap<>();
    int page = 10_000;
    for (int offset = 0; ; offset += page) {
      JsonNode body = admin(t, "/salesforce/records/Contact?offset=" + offset + "&limit=" + page);
      for (JsonNode r : body.path("records")) {
        seen.merge(r.path("Email").asText("").toLowerCase(Locale.ROOT), 1, Integer::sum);
      }
      if (body.path("records").size() < page) break;
    }
    long lost = 0;
    for (int i = 1; i <= options.records(); i++) {
      if (!seen.containsKey("person" + i + "@bench.test")) lost++;
    }
    long duplicates = seen.values().stream().mapToLong(n -> n - 1).sum();
    return new long[] {lost, duplicates};
  }

  private JsonNode admin(Target t, String path) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(t.adminUrl() + path)).timeout(Duration.ofMinutes(2)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) throw new IOException("GET " + t.adminUrl() + path + " answered " + r.statusCode() + ": " + r.body());
    return JSON.readTree(r.body());
  }

  private PipelineRun awaitEnd(PipelineEngine engine, long runId) throws InterruptedException {
    long lastSelected = -1;
    long lastChange = System.nanoTime();
    long lastReport = 0;
    while (true) {
      PipelineRun run = engine.find(runId).orElseThrow(() -> new IllegalStateException("pipeline run " + runId + " vanished"));
      if (!run.status().active()) return run;
      if (run.selected() != lastSelected) {
        lastSelected = run.selected();
        lastChange = System.nanoTime();
      } else if (System.nanoTime() - lastChange > STALL_TIMEOUT.toNanos()) {
        throw new IllegalStateException("pipeline run " + runId + " made no progress for " + STALL_TIMEOUT.toMinutes()
            + " minutes (status " + run.status().wire() + ", last error: " + run.lastError() + ")");
      }
      if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(5)) {
        lastReport = System.nanoTime();
        progress.accept(String.format(Locale.ROOT, "pipeline: %s, %,d of %,d records sent, %,d write calls",
            run.status().wire(), run.synced(), options.records(), run.writeCalls()));
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
  }
}
