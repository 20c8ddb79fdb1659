package dev.sluice.sync;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectorFactory;
import dev.sluice.connectors.QueueRateLimitGate;
import dev.sluice.connectors.RateLimitSpec;
import dev.sluice.connectors.SourceConnector;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.JobWorker;
import dev.sluice.queue.ratelimit.RateLimits;
import dev.sluice.sandbox.Sandbox;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * What a Sluice worker process holds, built the same way in the test JVM and in the child process
 * that {@link SandboxSyncTest} kills: a queue, HubSpot connectors pointed at the sandbox, the engine.
 */
final class SyncProcessFixture implements AutoCloseable {
  /** The streams the sandbox tests sync: every CRM object type the HubSpot connector reads. */
  static final List<String> OBJECTS = List.of("contacts", "companies", "deals", "tickets");
  /** Shorter than HubSpot's default, so incremental runs in tests wait about a second for the search index. */
  static final Duration SEARCH_INDEX_SETTLE = Duration.ofMillis(1200);
  /**
   * Test settings: quick retries, and a page timeout short enough that a killed worker's page is
   * rescued within half a minute. The page timeout is also the longest a live handler may run (the
   * queue's watchdog interrupts it and the page is read again), so it must exceed a slow page: the
   * first page of each stream in a freshly started child JVM took over 5 s on the loaded test machine
   * (cold JIT, property discovery, the mirror's first writes), was interrupted and read a second time
   * before any kill — one read more than the kill test allows once that page is also in flight at the kill.
   */
  static final SyncSettings SETTINGS = SyncSettings.DEFAULTS.withRetry(Duration.ofMillis(50), Duration.ofSeconds(1))
      .withPageMaxAttempts(10).withPageTimeout(Duration.ofSeconds(20));

  final JobQueue queue;
  final SyncEngine engine;
  final ConnectorFactory factory;
  final Map<String, SourceConnector> connectors = new ConcurrentHashMap<>();
  private final HikariDataSource ownPool;

  SyncProcessFixture(DataSource ds, HikariDataSource ownPool, String sandboxUrl, Map<String, String> tokens,
      Map<String, List<String>> properties, SyncSettings settings) {
    this(ds, ownPool, sandboxUrl, tokens, properties, settings, c -> c);
  }

  /** @param tune changes each connection's config (e.g. real limits) before its connector is built */
  SyncProcessFixture(DataSource ds, HikariDataSource ownPool, String sandboxUrl, Map<String, String> tokens,
      Map<String, List<String>> properties, SyncSettings settings, java.util.function.UnaryOperator<ConnectionConfig> tune) {
    this.ownPool = ownPool;
    this.queue = JobQueue.builder(ds).schema("sluice").rescueAfter(Duration.ofSeconds(5)).build();
    this.engine = new SyncEngine(queue, ds, "sluice", connectors::get, Clock.systemUTC(), settings);
    // the connectors define their rate-limit buckets in the queue's tables: migrate first
    engine.migrate();
    this.factory = new ConnectorFactory(QueueRateLimitGate.of(new RateLimits(ds, "sluice", Clock.systemUTC())), Clock.systemUTC());
    tokens.forEach((name, token) -> connectors.put(name, factory.source(tune.apply(config(name, sandboxUrl, token, properties)))));
  }

  /** Raised limits (custom tier) so tests take seconds; the real limits belong to the benchmark. */
  static ConnectionConfig config(String name, String sandboxUrl, String token, Map<String, List<String>> properties) {
    return new ConnectionConfig(name, "hubspot", URI.create(sandboxUrl), token, "TEST_HUBSPOT_TOKEN", null,
        Map.of("10s", RateLimitSpec.of(20_000, Duration.ofSeconds(10)),
            "search", RateLimitSpec.of(200, Duration.ofSeconds(1)),
            "daily", RateLimitSpec.of(50_000_000, Duration.ofDays(1))),
        OBJECTS, properties, null, Duration.ofSeconds(30), SEARCH_INDEX_SETTLE, null);
  }

  /**
   * Starts {@link #main} in a child JVM on the database and the sandbox, and returns once its worker
   * polls; its output is drained in the background (the caller kills it).
   */
  static Process startChild(String jdbcUrl, String user, Sandbox sandbox, String connection,
      Map<String, List<String>> properties) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    // C1 only: a worker that starts fast matters more here than peak speed
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        SyncProcessFixture.class.getName(), jdbcUrl, user, sandbox.baseUrl(), connection,
        sandbox.hubspot().token(), Json.write(properties));
    pb.redirectErrorStream(true);
    Process p = pb.start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null && !line.contains("READY")) {
      // start-up logging
    }
    if (line == null) {
      throw new IllegalStateException("the child worker exited before it was ready");
    }
    Thread drain = new Thread(() -> {
      try {
        while (out.readLine() != null) {
          // keep the pipe from filling up
        }
      } catch (java.io.IOException ignored) {
        // the child died
      }
    });
    drain.setDaemon(true);
    drain.start();
    return p;
  }

  JobWorker startWorker(int concurrency) {
    JobWorker.Builder b = queue.worker().concurrency(concurrency).pollInterval(Duration.ofMillis(100));
    engine.registerHandlers(b);
    return b.start();
  }

  @Override
  public void close() {
    connectors.values().forEach(SourceConnector::close);
    if (ownPool != null) {
      ownPool.close();
    }
  }

  /**
   * The child worker process: {@code jdbcUrl user sandboxUrl connection token propertiesJson}. Runs page jobs
   * until it is killed; prints {@code READY} once its worker polls.
   */
  public static void main(String[] args) throws Exception {
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(args[0]);
    hc.setUsername(args[1]);
    hc.setMaximumPoolSize(8);
    HikariDataSource pool = new HikariDataSource(hc);
    Map<String, List<String>> properties = Json.MAPPER.readValue(args[5],
        new com.fasterxml.jackson.core.type.TypeReference<Map<String, List<String>>>() {});
    SyncProcessFixture f = new SyncProcessFixture(pool, pool, args[2], Map.of(args[3], args[4]), properties, SETTINGS);
    f.startWorker(4);
    System.out.println("READY");
    System.out.flush();
    Thread.currentThread().join(); // until killed
  }
}
