package dev.sluice.pipelines;

import static org.awaitility.Awaitility.await;

import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectorFactory;
import dev.sluice.connectors.DestinationConnector;
import dev.sluice.connectors.QueueRateLimitGate;
import dev.sluice.connectors.RateLimitSpec;
import dev.sluice.connectors.SourceConnector;
import dev.sluice.connectors.SyncMode;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.JobWorker;
import dev.sluice.queue.ratelimit.RateLimits;
import dev.sluice.sync.RunStatus;
import dev.sluice.sync.SyncEngine;
import dev.sluice.sync.SyncRequest;
import dev.sluice.sync.SyncRun;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * What a Sluice process holds for pipeline tests: the queue, the sync engine filling the mirror from
 * sandbox connections, HubSpot destinations, the pipeline engine and a worker running both.
 */
final class PipelineFixture implements AutoCloseable {
  static final List<String> CONTACT_PROPERTIES = List.of("email", "firstname", "lastname", "jobtitle", "city", "company");

  final JobQueue queue;
  final SyncEngine sync;
  final ConnectorFactory factory;
  final Map<String, SourceConnector> sources = new ConcurrentHashMap<>();
  final Map<String, DestinationConnector> destinations = new ConcurrentHashMap<>();
  PipelineEngine engine;
  private JobWorker worker;

  PipelineFixture(DataSource ds) {
    this.queue = JobQueue.builder(ds).schema("sluice").rescueAfter(Duration.ofSeconds(5)).build();
    this.sync = new SyncEngine(queue, ds, "sluice", sources::get, Clock.systemUTC());
    sync.migrate();
    this.factory = new ConnectorFactory(QueueRateLimitGate.of(new RateLimits(ds, "sluice", Clock.systemUTC())), Clock.systemUTC());
  }

  /** A HubSpot connection to a sandbox with raised limits, used as source and destination. */
  void hubspot(String name, String baseUrl, String token) {
    ConnectionConfig config = new ConnectionConfig(name, "hubspot", URI.create(baseUrl), token, "TEST_TOKEN", null,
        Map.of("10s", RateLimitSpec.of(20_000, Duration.ofSeconds(10)), "search", RateLimitSpec.of(200, Duration.ofSeconds(1)),
            "daily", RateLimitSpec.of(50_000_000, Duration.ofDays(1))),
        List.of("contacts"), Map.of("contacts", CONTACT_PROPERTIES), null, Duration.ofSeconds(30), Duration.ofMillis(200), null);
    sources.put(name, factory.source(config));
    destinations.put(name, factory.destination(config));
  }

  /** A Salesforce connection (Contacts) to a sandbox org, used as source and destination. */
  void salesforce(String name, String baseUrl, String token) {
    ConnectionConfig config = ConnectionConfig.builder(name, "salesforce").baseUrl(baseUrl).token(token, "SALESFORCE_TOKEN")
        .objects(List.of("Contact")).build();
    sources.put(name, factory.source(config));
    destinations.put(name, factory.destination(config));
  }

  /** A Mailchimp connection to one sandbox audience (members), used as source and destination. */
  void mailchimp(String name, String apiBase, String apiKey, String listId) {
    ConnectionConfig config = ConnectionConfig.builder(name, "mailchimp").baseUrl(apiBase).token(apiKey, "MAILCHIMP_API_KEY")
        .setting("list_id", listId).objects(List.of("members")).build();
    sources.put(name, factory.source(config));
    destinations.put(name, factory.destination(config));
  }

  void pipelines(DataSource ds, Pipeline... pipelines) {
    engineOnly(ds, pipelines);
    startWorker(4);
  }

  /** The pipeline engine without a worker in this process (the chaos test's workers are other processes). */
  void engineOnly(DataSource ds, Pipeline... pipelines) {
    Map<String, Pipeline> byName = new java.util.LinkedHashMap<>();
    for (Pipeline p : pipelines) byName.put(p.name(), p);
    engine = new PipelineEngine(queue, ds, "sluice", byName, destinations::get, Clock.systemUTC());
    engine.migrate();
  }

  void startWorker(int concurrency) {
    JobWorker.Builder b = queue.worker().concurrency(concurrency).pollInterval(Duration.ofMillis(50));
    sync.registerHandlers(b);
    engine.registerHandlers(b);
    worker = b.start();
  }

  SyncRun syncToEnd(String connection, SyncMode mode) {
    return syncToEnd(connection, "contacts", mode);
  }

  SyncRun syncToEnd(String connection, String object, SyncMode mode) {
    SyncRun run = sync.trigger(new SyncRequest(connection, List.of(object), mode));
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50))
        .until(() -> !sync.find(run.id()).orElseThrow().status().active());
    SyncRun done = sync.find(run.id()).orElseThrow();
    if (done.status() != RunStatus.COMPLETED) throw new AssertionError("sync did not complete: " + done);
    return done;
  }

  PipelineRun runToEnd(String pipeline) {
    PipelineRun run = engine.trigger(pipeline, "test");
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50))
        .until(() -> !engine.find(run.id()).orElseThrow().status().active());
    return engine.find(run.id()).orElseThrow();
  }

  @Override
  public void close() {
    if (worker != null) worker.close();
    sources.values().forEach(SourceConnector::close);
    destinations.values().forEach(DestinationConnector::close);
  }
}
