package dev.sluice.sync;

import static org.awaitility.Awaitility.await;

import dev.sluice.queue.JobQueue;
import dev.sluice.queue.JobWorker;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;

/**
 * An engine reading an {@link InMemorySource} with its own worker running, for tests of the engine's
 * own logic: quick retries, three attempts per page.
 */
final class InMemoryEngine implements AutoCloseable {
  static final SyncSettings SETTINGS = SyncSettings.DEFAULTS.withRetry(Duration.ofMillis(20), Duration.ofMillis(100))
      .withPageMaxAttempts(3);

  final InMemorySource source;
  final SyncEngine engine;
  private final JobWorker worker;

  InMemoryEngine(JobQueue queue, DataSource ds, String connection, int concurrency) {
    this(queue, ds, connection, concurrency, Clock.systemUTC());
  }

  /** An engine whose events, runs and history cleaning follow {@code clock} (the queue keeps its own). */
  InMemoryEngine(JobQueue queue, DataSource ds, String connection, int concurrency, Clock clock) {
    source = new InMemorySource(connection, 10, "contacts", "companies");
    Map<String, InMemorySource> connections = Map.of(connection, source);
    engine = new SyncEngine(queue, ds, "sluice", connections::get, clock, SETTINGS);
    engine.migrate();
    JobWorker.Builder b = queue.worker().concurrency(concurrency).pollInterval(Duration.ofMillis(50));
    engine.registerHandlers(b);
    worker = b.start();
  }

  /** The run once it is no longer active. */
  SyncRun awaitFinal(long id) {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
        .until(() -> !engine.find(id).orElseThrow().status().active());
    return engine.find(id).orElseThrow();
  }

  @Override
  public void close() {
    worker.close();
  }
}
