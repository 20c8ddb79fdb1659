package dev.sluice.bench;

import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectorFactory;
import dev.sluice.connectors.QueueRateLimitGate;
import dev.sluice.connectors.SourceConnector;
import dev.sluice.connectors.SyncMode;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.JobWorker;
import dev.sluice.queue.ratelimit.RateLimits;
import dev.sluice.sandbox.hubspot.HubSpotDataGenerator;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import dev.sluice.sandbox.hubspot.HubSpotTier;
import dev.sluice.sync.SyncEngine;
import dev.sluice.sync.SyncRequest;
import dev.sluice.sync.SyncRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code sluice bench sync}: a full contacts sync from the HubSpot sandbox at Professional limits
 * into a fresh database, through the real connector, queue and sync engine, timed from trigger to
 * the run's end; then the mirror is compared with the sandbox record by record. The sandbox runs in
 * a child JVM unless the options say otherwise, so this JVM's peak memory is Sluice's own.
 */
public final class SyncBenchmark {
  static final String CONNECTION = "hubspot-bench";
  static final String OBJECT = "contacts";
  static final long SEED = 42;
  /** A run that makes no progress for this long is abandoned. */
  static final Duration STALL_TIMEOUT = Duration.ofMinutes(5);

  private final SyncBenchOptions options;
  private final Consumer<String> progress;

  public SyncBenchmark(SyncBenchOptions options, Consumer<String> progress) {
    this.options = options;
    this.progress = progress;
  }

  public SyncBenchReport run() throws Exception {
    double[] loadAtStart = QueueBenchmark.loadAverage();
    HubSpotTier tier = HubSpotTier.PROFESSIONAL;
    HubSpotDataGenerator.Spec spec = HubSpotDataGenerator.Spec.contacts(SEED, options.contacts());
    try (BenchServer server = BenchServer.open(options.databaseUrl(), options.home(), null);
         BenchDatabase db = server.createDatabase("sync");
         BenchSandbox sandbox = startSandbox(tier, spec)) {
      progress.accept("database: " + server.description());
      progress.accept(sandbox.description());

      var ds = db.pool(options.workers() + 8);
      JobQueue queue = JobQueue.builder(ds).build();
      SourceConnector[] connector = new SourceConnector[1];
      SyncEngine engine = new SyncEngine(queue, ds, "sluice", name -> CONNECTION.equals(name) ? connector[0] : null, Clock.systemUTC());
      engine.migrate();
      ConnectorFactory factory = new ConnectorFactory(QueueRateLimitGate.of(new RateLimits(queue.dataSource(), queue.schema(), queue.clock())), Clock.systemUTC());
      connector[0] = factory.source(ConnectionConfig.builder(CONNECTION, "hubspot")
          .baseUrl(sandbox.baseUrl()).token(sandbox.token(), "sandbox")
          .tier(tier.name().toLowerCase(Locale.ROOT)).objects(List.of(OBJECT)).build());
      JobWorker.Builder wb = queue.worker().concurrency(options.workers());
      engine.registerHandlers(wb);
      JobWorker worker = wb.start();

      BenchSandbox.Counters before = sandbox.counters();
      long started = System.nanoTime();
      SyncRun run;
      try {
        run = engine.trigger(new SyncRequest(CONNECTION, List.of(OBJECT), SyncMode.FULL));
        run = awaitEnd(engine, run.id());
      } finally {
        worker.close();
        connector[0].close();
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      BenchSandbox.Counters served = sandbox.counters().minus(before);
      // Both high-water marks before the check below: its id arrays are the bench's, not Sluice's.
      double peakRss = peakRssMb(Path.of("/proc/self/status"));
      double sandboxPeakRss = sandbox.peakRssMb();

      long[] expected = sandbox.ids(HubSpotObjectType.CONTACTS);
      Mirror mirror = mirrorIds(db);
      long lost = 0;
      for (long id : expected) {
        if (Arrays.binarySearch(mirror.ids, id) < 0) lost++;
      }
      long matched = 0;
      for (int i = 0; i < mirror.ids.length; i++) {
        boolean first = i == 0 || mirror.ids[i] != mirror.ids[i - 1];
        if (first && Arrays.binarySearch(expected, mirror.ids[i]) >= 0) matched++;
      }
      return new SyncBenchReport(expected.length, seconds, served.requests(), served.windowRequests(), served.tooManyRequests(),
          tier.perTenSeconds(), lost, mirror.rows - matched, peakRss, sandboxPeakRss, sandbox.placement(),
          run.status().name().toLowerCase(Locale.ROOT), server.description(),
          tier.name().toLowerCase(Locale.ROOT), options.workers(), loadAtStart, QueueBenchmark.loadAverage());
    }
  }

  private BenchSandbox startSandbox(HubSpotTier tier, HubSpotDataGenerator.Spec spec) throws IOException, InterruptedException {
    if (!options.childSandbox()) return new BenchSandbox.InProcess(tier, spec);
    // The same data as Spec.contacts(SEED, n) generates in process.
    List<String> args = List.of("--port", "0", "--seed", Long.toString(spec.seed()),
        "--hubspot-tier", tier.name().toLowerCase(Locale.ROOT),
        "--hubspot-contacts", Integer.toString(spec.contacts()), "--hubspot-companies", Integer.toString(spec.companies()),
        "--hubspot-deals", Integer.toString(spec.deals()), "--hubspot-tickets", Integer.toString(spec.tickets()),
        "--hubspot-tasks", Integer.toString(spec.tasks()),
        "--hubspot-custom-properties", Integer.toString(spec.customProperties()));
    progress.accept(String.format(Locale.ROOT, "sandbox: starting a child process with %,d contacts", spec.contacts()));
    return ChildSandbox.start(options.sandboxCommand(), args, options.home().resolve("bench").resolve("sync-sandbox.log"));
  }

  /** The mirror's ids, ascending (ids are HubSpot's decimal numbers; any other counts as a row matching nothing). */
  private record Mirror(long rows, long[] ids) {}

  private static Mirror mirrorIds(BenchDatabase db) throws Exception {
    long rows = 0;
    long[] ids = new long[1 << 16];
    int n = 0;
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(SqlResource.load("sync-mirror-ids.sql"))) {
      s.setString(1, CONNECTION);
      s.setString(2, OBJECT);
      s.setFetchSize(10_000);
      c.setAutoCommit(false);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          rows++;
          long id;
          try {
            id = Long.parseLong(rs.getString(1));
          } catch (NumberFormatException e) {
            continue;
          }
          if (n == ids.length) ids = Arrays.copyOf(ids, n * 2);
          ids[n++] = id;
        }
      }
    }
    long[] sorted = Arrays.copyOf(ids, n);
    Arrays.sort(sorted);
    return new Mirror(rows, sorted);
  }

  private SyncRun awaitEnd(SyncEngine engine, long runId) throws InterruptedException {
    long lastFetched = -1;
    long lastChange = System.nanoTime();
    long lastReport = 0;
    while (true) {
      SyncRun run = engine.find(runId).orElseThrow(() -> new IllegalStateException("sync run " + runId + " vanished"));
      if (!run.status().active()) return run;
      long fetched = run.totals().fetched();
      if (fetched != lastFetched) {
        lastFetched = fetched;
        lastChange = System.nanoTime();
      } else if (System.nanoTime() - lastChange > STALL_TIMEOUT.toNanos()) {
        throw new IllegalStateException("sync run " + runId + " made no progress for " + STALL_TIMEOUT.toMinutes()
            + " minutes (status " + run.status() + ", last error: " + run.lastError() + ")");
      }
      if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(5)) {
        lastReport = System.nanoTime();
        progress.accept(String.format(Locale.ROOT, "sync: %s, %,d of %,d records fetched, %,d requests",
            run.status().name().toLowerCase(Locale.ROOT), fetched, options.contacts(), run.requests()));
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
  }

  /**
   * Requests that count against HubSpot's 10-second window: all but search (its own per-second
   * limit) and v4 association batch calls (daily cap only). Keys are the sandbox's endpoint
   * classes, e.g. {@code "GET /crm/v3/objects/{type}"}.
   */
  static long windowRequests(java.util.Map<String, Long> byEndpoint) {
    long n = 0;
    for (var e : byEndpoint.entrySet()) {
      String k = e.getKey();
      boolean search = k.startsWith("POST") && k.contains("/search");
      boolean associationBatch = k.contains("/crm/v4/associations/") && k.contains("/batch/");
      if (!search && !associationBatch) n += e.getValue();
    }
    return n;
  }

  /** VmHWM from a {@code /proc/<pid>/status} file, in MB; NaN where /proc is not there. */
  static double peakRssMb(Path procStatus) {
    try {
      for (String line : Files.readAllLines(procStatus)) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException ignored) {
      // not Linux: reported as NaN
    }
    return Double.NaN;
  }
}
