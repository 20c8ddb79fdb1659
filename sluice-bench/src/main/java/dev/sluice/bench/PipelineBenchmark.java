package dev.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectorFactory;
import dev.sluice.connectors.DestinationConnector;
import dev.sluice.connectors.QueueRateLimitGate;
import dev.sluice.pipelines.Mapping;
import dev.sluice.pipelines.Pipeline;
import dev.sluice.pipelines.PipelineEngine;
import dev.sluice.pipelines.PipelineRun;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.JobWorker;
import dev.sluice.queue.ratelimit.RateLimits;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.mailchimp.MailchimpOptions;
import dev.sluice.sandbox.mailchimp.MailchimpSandbox;
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
 * {@code sluice bench pipeline}: N mirror contacts pushed through a mapping to the sandbox Salesforce,
 * then to the sandbox Mailchimp, by the real pipeline engine, queue, connectors and shared limits, on
 * a fresh database (the embedded PostgreSQL keeps synchronous_commit and fsync on), each timed from
 * the trigger to the run's end; then the sandbox is read back and every mirror contact must be there
 * exactly once. The sandbox runs in a child JVM unless the options say otherwise.
 *
 * <p>The ceiling is what the destinations' real limits allow ({@link WireCeiling}): after each
 * pipeline run, the same number of contacts written by a bare client at the destination's
 * concurrency limit. The connections keep their registry limits (Salesforce: the 24 h allocation).
 */
public final class PipelineBenchmark {
  static final String SOURCE = "mirror-bench";
  static final String DESTINATION = "salesforce-bench";
  static final String PIPELINE = "bench-contacts-to-salesforce";
  static final String MAILCHIMP = "mailchimp-bench";
  static final String MAILCHIMP_PIPELINE = "bench-contacts-to-mailchimp";
  /**
   * Records each side pushes to each destination before the measured phases (at most the run's
   * own): the engine through warm-up pipelines of their own source, the bare client with addresses
   * of its own, so the JIT has compiled both sides' hot code, and the sandbox's, before either is
   * timed. Without it the engine's run, measured first, paid the sandbox's warm-up alone.
   */
  static final int WARMUP_RECORDS = 5_000;
  static final String WARMUP_SOURCE = "mirror-warmup";
  static final String WARMUP_PIPELINE = "bench-warmup-to-salesforce";
  static final String WARMUP_MAILCHIMP_PIPELINE = "bench-warmup-to-mailchimp";
  static final String MAILCHIMP_MAPPING = """
      fields:
        email_address: {from: source.email, type: email, required: true}
        FNAME: source.firstname
        LNAME: source.lastname
        PHONE: source.phone
      """;
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

  /** Where the destinations run: Salesforce's API root and token, Mailchimp's, the admin API, and how to stop it. */
  private record Target(String baseUrl, String adminUrl, String token, String mailchimpUrl, String mailchimpKey, String listId,
      String placement, String description, long pid, AutoCloseable closer)
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
      cpu = new Cpu(new ProcessCpu(sandbox.pid(), null), server.cpu());
      var ds = db.pool(options.workers() + 8);
      JobQueue queue = JobQueue.builder(ds).build();
      new SyncEngine(queue, ds, "sluice", name -> null, Clock.systemUTC()).migrate(); // the mirror's tables
      int warmup = Math.min(WARMUP_RECORDS, options.records());
      fillMirror(db, SOURCE, options.records(), "person");
      fillMirror(db, WARMUP_SOURCE, warmup, "warmup");
      progress.accept(String.format(Locale.ROOT, "mirror: %,d contacts of %s, %,d of %s", options.records(), SOURCE, warmup,
          WARMUP_SOURCE));

      ConnectorFactory factory = new ConnectorFactory(
          QueueRateLimitGate.of(new RateLimits(queue.dataSource(), queue.schema(), queue.clock())), Clock.systemUTC());
      DestinationConnector salesforce = factory.destination(ConnectionConfig.builder(DESTINATION, "salesforce")
          .baseUrl(sandbox.baseUrl()).token(sandbox.token(), "sandbox").build());
      DestinationConnector mailchimp = factory.destination(ConnectionConfig.builder(MAILCHIMP, "mailchimp")
          .baseUrl(sandbox.mailchimpUrl()).token(sandbox.mailchimpKey(), "sandbox").setting("list_id", sandbox.listId()).build());
      Map<String, Pipeline> pipelines = Map.of(
          PIPELINE, new Pipeline(PIPELINE, SOURCE, "contacts", DESTINATION, "Contact", "Email", Mapping.parse(MAPPING, "bench mapping"), 0, null),
          MAILCHIMP_PIPELINE, new Pipeline(MAILCHIMP_PIPELINE, SOURCE, "contacts", MAILCHIMP, "members", "email_address",
              Mapping.parse(MAILCHIMP_MAPPING, "bench mailchimp mapping"), 0, null),
          WARMUP_PIPELINE, new Pipeline(WARMUP_PIPELINE, WARMUP_SOURCE, "contacts", DESTINATION, "Contact", "Email",
              Mapping.parse(MAPPING, "bench mapping"), 0, null),
          WARMUP_MAILCHIMP_PIPELINE, new Pipeline(WARMUP_MAILCHIMP_PIPELINE, WARMUP_SOURCE, "contacts", MAILCHIMP, "members",
              "email_address", Mapping.parse(MAILCHIMP_MAPPING, "bench mailchimp mapping"), 0, null));
      Map<String, DestinationConnector> destinations = Map.of(DESTINATION, salesforce, MAILCHIMP, mailchimp);
      PipelineEngine engine = new PipelineEngine(queue, ds, "sluice", pipelines, destinations::get, Clock.systemUTC());
      engine.migrate();
      db.analyze();
      JobWorker.Builder wb = queue.worker().concurrency(options.workers());
      engine.registerHandlers(wb);
      Phase sf;
      Phase mc;
      WireCeiling ceiling = new WireCeiling(http);
      WireCeiling.Result sfCeiling;
      WireCeiling.Result mcCeiling;
      try (JobWorker worker = wb.start()) {
        warmUp(engine, sandbox, ceiling, warmup);
        sf = push(engine, sandbox, PIPELINE);
        sfCeiling = ceiling(sandbox, "salesforce", () -> ceiling.salesforce(sandbox.baseUrl(), sandbox.token(), options.records()));
        mc = push(engine, sandbox, MAILCHIMP_PIPELINE);
        mcCeiling = ceiling(sandbox, "mailchimp", () -> ceiling.mailchimp(sandbox.mailchimpUrl(), sandbox.mailchimpKey(),
            sandbox.listId(), options.records()));
      } finally {
        salesforce.close();
        mailchimp.close();
      }
      progress.accept("reading the sandbox back");
      long[] sfBack = readBack(sandbox);
      long[] mcBack = readBackMailchimp(sandbox);
      var sfReport = new PipelineBenchReport.Destination("salesforce Contact", sf.run().synced(), sf.seconds(), sf.run().writeCalls(),
          salesforce.maxBatchSize(), sf.served429(), sfBack[0], sfBack[1], sf.run().status().wire(), sfCeiling, sf.cpu());
      var mcReport = new PipelineBenchReport.Destination("mailchimp members", mc.run().synced(), mc.seconds(), mc.run().writeCalls(),
          mailchimp.maxBatchSize(), mc.served429(), mcBack[0], mcBack[1], mc.run().status().wire(), mcCeiling, mc.cpu());
      return new PipelineBenchReport(options.records(), sfReport, mcReport, PipelineEngine.CALLS_PER_BATCH, server.description(),
          sandbox.placement(), options.workers(), loadAtStart, QueueBenchmark.loadAverage(), warmup);
    }
  }

  /**
   * Both sides pushed {@code records} records to each destination, untimed and in the order of the
   * measured phases: the engine's warm-up pipeline, then the bare client, for Salesforce, then Mailchimp.
   */
  private void warmUp(PipelineEngine engine, Target sandbox, WireCeiling ceiling, int records) throws Exception {
    for (String pipeline : List.of(WARMUP_PIPELINE, WARMUP_MAILCHIMP_PIPELINE)) {
      PipelineRun run = awaitEnd(engine, engine.trigger(pipeline, "bench").id(), records);
      if (run.synced() != records) {
        throw new IllegalStateException("warm-up " + pipeline + " ended " + run.status().wire() + " with " + run.synced()
            + " of " + records + " records synced (last error: " + run.lastError() + ")");
      }
      WireCeiling.Result bare = pipeline.equals(WARMUP_PIPELINE)
          ? ceiling.salesforce(sandbox.baseUrl(), sandbox.token(), records, "warmup-ceiling")
          : ceiling.mailchimp(sandbox.mailchimpUrl(), sandbox.mailchimpKey(), sandbox.listId(), records, "warmup-ceiling");
      if (bare.failedCalls() > 0) {
        throw new IllegalStateException("the warm-up's bare client had " + bare.failedCalls() + " failed calls of " + bare.calls());
      }
    }
    progress.accept(String.format(Locale.ROOT, "warm-up: %,d records to each destination by the engine and by the bare client",
        records));
  }

  /** One pipeline's run: the run, its seconds from trigger to end, the 429s served meanwhile. */
  private record Phase(PipelineRun run, double seconds, long served429, PipelineBenchReport.CpuSplit cpu) {}

  /** CPU seconds so far of this JVM (the engine, or the bare client), the sandbox child and the database server. */
  private record Cpu(ProcessCpu sandbox, ServerCpu database) {
    double[] now() {
      double engine = Double.NaN;
      if (java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
        engine = os.getProcessCpuTime() / 1e9;
      }
      return new double[] {engine, sandbox.seconds(), database == null ? Double.NaN : database.seconds().orElse(Double.NaN)};
    }

    PipelineBenchReport.CpuSplit since(double[] start) {
      double[] end = now();
      return new PipelineBenchReport.CpuSplit(end[0] - start[0], end[1] - start[1], end[2] - start[2]);
    }
  }

  private Cpu cpu;

  private Phase push(PipelineEngine engine, Target sandbox, String pipeline) throws Exception {
    long before = tooManyRequests(sandbox);
    double[] cpuStart = cpu.now();
    long started = System.nanoTime();
    PipelineRun run = awaitEnd(engine, engine.trigger(pipeline, "bench").id(), options.records());
    double seconds = (System.nanoTime() - started) / 1e9;
    PipelineBenchReport.CpuSplit used = cpu.since(cpuStart);
    progress.accept(String.format(Locale.ROOT, "%s: run %d %s in %.1f s", pipeline, run.id(), run.status().wire(), seconds));
    return new Phase(run, seconds, tooManyRequests(sandbox) - before, used);
  }

  private interface Measure {
    WireCeiling.Result run() throws IOException, InterruptedException;
  }

  private WireCeiling.Result ceiling(Target sandbox, String name, Measure measure) throws IOException, InterruptedException {
    long before = tooManyRequests(sandbox);
    double[] cpuStart = cpu.now();
    WireCeiling.Result r = measure.run().withCpu(cpu.since(cpuStart));
    if (r.failedCalls() > 0) {
      throw new IllegalStateException("the " + name + " ceiling's bare client had " + r.failedCalls() + " failed calls of " + r.calls());
    }
    progress.accept(String.format(Locale.ROOT, "%s ceiling: %,d records in %.1f s by a bare client with %d calls in flight = %,.1f/s"
        + " (429s: %,d)", name, r.records(), r.seconds(), r.inFlight(), r.recordsPerSec(), tooManyRequests(sandbox) - before));
    return r;
  }

  private Target startSandbox() throws IOException, InterruptedException {
    if (options.sandboxCommand() == null) {
      MailchimpSandbox mc = new MailchimpSandbox(MailchimpOptions.builder().membersPerList(0).build());
      Sandbox s = Sandbox.builder().platform(new SalesforceSandbox(SalesforceOptions.builder().counts(0, 0, 0, 0).build()))
          .platform(mc).start();
      return new Target(s.baseUrl(), s.adminUrl(), SalesforceOptions.DEFAULT_ACCESS_TOKEN, s.baseUrl() + MailchimpSandbox.API_PREFIX,
          mc.options().apiKey(), mc.options().lists().keySet().iterator().next(), "in-process",
          "sandbox (in this JVM) at " + s.baseUrl(), -1, s::close);
    }
    ChildSandbox child = ChildSandbox.start(options.sandboxCommand(), List.of("--port", "0", "--seed", "42",
        "--salesforce-contacts", "0", "--mailchimp-members", "0"), options.home().resolve("bench").resolve("pipeline-sandbox.log"));
    JsonNode sf = child.ready().path("salesforce");
    JsonNode mc = child.ready().path("mailchimp");
    return new Target(sf.path("instance_url").asText(), child.ready().path("admin_url").asText(), sf.path("access_token").asText(),
        mc.path("base_url").asText(), mc.path("api_key").asText(), mc.path("list_ids").path(0).asText(),
        "child-process", child.description(), child.pid(), child::close);
  }

  private void fillMirror(BenchDatabase db, String connection, int records, String emailPrefix) throws Exception {
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(SqlResource.load("pipeline-mirror-fill.sql"))) {
      s.setString(1, connection);
      s.setInt(2, records);
      s.setString(3, emailPrefix);
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
    return lostAndDuplicates(seen);
  }

  /** {lost, duplicates} of the audience: members are keyed by their address's hash, so a duplicate is two hashes of one address. */
  private long[] readBackMailchimp(Target t) throws IOException, InterruptedException {
    Map<String, Integer> seen = new HashMap<>();
    for (JsonNode m : admin(t, "/mailchimp/lists/" + t.listId() + "/members")) {
      seen.merge(m.path("email_address").asText("").toLowerCase(Locale.ROOT), 1, Integer::sum);
    }
    return lostAndDuplicates(seen);
  }

  private long[] lostAndDuplicates(Map<String, Integer> seen) {
    long lost = 0;
    for (int i = 1; i <= options.records(); i++) {
      if (!seen.containsKey("person" + i + "@bench.test")) lost++;
    }
    return new long[] {lost, seen.values().stream().mapToLong(n -> n - 1).sum()};
  }

  private JsonNode admin(Target t, String path) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(t.adminUrl() + path)).timeout(Duration.ofMinutes(2)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) throw new IOException("GET " + t.adminUrl() + path + " answered " + r.statusCode() + ": " + r.body());
    return JSON.readTree(r.body());
  }

  private PipelineRun awaitEnd(PipelineEngine engine, long runId, int records) throws InterruptedException {
    String name = engine.find(runId).map(PipelineRun::pipeline).orElse("pipeline");
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
        progress.accept(String.format(Locale.ROOT, "%s: %s, %,d of %,d records sent, %,d write calls", name,
            run.status().wire(), run.synced(), records, run.writeCalls()));
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
  }
}
