package dev.sluice.server.runtime;

import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectorFactory;
import dev.sluice.connectors.SourceConnector;
import dev.sluice.postgres.PostgresSource;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.JobWorker;
import dev.sluice.queue.RateLimits;
import dev.sluice.server.config.SluiceConfig;
import dev.sluice.sync.SyncEngine;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts one Sluice process runs on: the database, the job queue, the sync engine with a
 * connector per configured connection, and (when started) the workers. Migrations run when it opens
 * (queue first, then sync, whose tables refer to jobs). Closing it stops the workers, then closes
 * the connectors, then the database it opened.
 */
public final class SluiceRuntime implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SluiceRuntime.class);
  /** Schema holding every Sluice table. */
  public static final String SCHEMA = "sluice";
  /** Environment variable naming the directory for the embedded database and other local state. */
  public static final String HOME_ENV = "SLUICE_HOME";

  private final SluiceConfig config;
  private final PostgresSource ownedDatabase;
  private final DataSource dataSource;
  private final JobQueue queue;
  private final SyncEngine engine;
  private final RateLimits rateLimits;
  private final ConnectorFactory connectorFactory;
  private final Map<String, SourceConnector> connectors = new ConcurrentHashMap<>();
  private volatile JobWorker worker;

  private SluiceRuntime(SluiceConfig config, PostgresSource ownedDatabase, DataSource dataSource, Clock clock) {
    this.config = config;
    this.ownedDatabase = ownedDatabase;
    this.dataSource = dataSource;
    this.queue = JobQueue.builder(dataSource).schema(SCHEMA).clock(clock).build();
    this.rateLimits = new RateLimits(dataSource, SCHEMA, clock);
    this.connectorFactory = new ConnectorFactory(rateLimits, clock);
    this.engine = new SyncEngine(queue, dataSource, SCHEMA, this::connector, clock);
  }

  /**
   * Opens the configured database (external, or embedded under {@code SLUICE_HOME} / {@code .sluice})
   * and migrates it. {@code poolSize} should cover the workers' concurrency plus the API.
   */
  public static SluiceRuntime open(SluiceConfig config, Map<String, String> env, int poolSize) {
    Path home = Path.of(env.getOrDefault(HOME_ENV, ".sluice"));
    PostgresSource db = PostgresSource.open(config.database().orElse(null), home, poolSize);
    try {
      return migrated(new SluiceRuntime(config, db, db.dataSource(), Clock.systemUTC()));
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
  }

  /** Runs on a database the caller owns (tests, the demo); it is not closed by {@link #close()}. */
  public static SluiceRuntime on(SluiceConfig config, DataSource dataSource, Clock clock) {
    return migrated(new SluiceRuntime(config, null, dataSource, clock));
  }

  private static SluiceRuntime migrated(SluiceRuntime rt) {
    rt.queue.migrate();
    rt.engine.migrate();
    return rt;
  }

  /** Starts {@code concurrency} handlers in this process for every kind the sync engine runs. */
  public synchronized JobWorker startWorkers(int concurrency) {
    if (worker != null) throw new IllegalStateException("workers already started");
    JobWorker.Builder builder = queue.worker().concurrency(concurrency);
    engine.registerHandlers(builder);
    worker = builder.start();
    log.info("workers started, concurrency={}", concurrency);
    return worker;
  }

  private SourceConnector connector(String name) {
    return connectors.computeIfAbsent(name, n -> {
      ConnectionConfig c = config.connections().get(n);
      if (c == null) {
        throw new IllegalArgumentException("unknown connection '" + n + "' (configured: " + String.join(", ", config.connections().keySet()) + ")");
      }
      return connectorFactory.source(c);
    });
  }

  public SluiceConfig config() {
    return config;
  }

  public DataSource dataSource() {
    return dataSource;
  }

  public JobQueue queue() {
    return queue;
  }

  public SyncEngine engine() {
    return engine;
  }

  /** The shared rate-limit buckets (the connections' budgets). */
  public RateLimits rateLimits() {
    return rateLimits;
  }

  /** The embedded or external database this runtime opened, or null when the caller owns it. */
  public PostgresSource database() {
    return ownedDatabase;
  }

  @Override
  public void close() {
    JobWorker w = worker;
    if (w != null) {
      try {
        w.close();
      } catch (RuntimeException e) {
        log.warn("workers did not stop cleanly: {}", e.getMessage());
      }
    }
    connectors.values().forEach(c -> {
      try {
        c.close();
      } catch (RuntimeException e) {
        log.warn("connector {} did not close cleanly: {}", c.connection(), e.getMessage());
      }
    });
    if (ownedDatabase != null) ownedDatabase.close();
  }
}
