package dev.sluice.server.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.DestinationConnector;
import dev.sluice.leads.LeadDrain;
import dev.sluice.leads.LeadIntake;
import dev.sluice.leads.LeadSource;
import dev.sluice.connectors.ConnectorFactory;
import dev.sluice.connectors.SourceConnector;
import dev.sluice.connectors.SyncMode;
import dev.sluice.inbound.InboundEvents;
import dev.sluice.pipelines.PipelineEngine;
import dev.sluice.postgres.PostgresSource;
import dev.sluice.queue.JobContext;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.JobWorker;
import dev.sluice.queue.NewJob;
import dev.sluice.queue.PermanentJobFailure;
import dev.sluice.queue.cron.CronSchedule;
import dev.sluice.queue.cron.CronScheduler;
import dev.sluice.queue.ratelimit.RateLimits;
import dev.sluice.rules.RuleFileException;
import dev.sluice.rules.RuleSet;
import dev.sluice.rules.ActionPriority;
import dev.sluice.rules.RulesEngine;
import dev.sluice.server.config.ConfigException;
import dev.sluice.server.config.SluiceConfig;
import dev.sluice.sync.SyncEngine;
import dev.sluice.sync.SyncRequest;
import dev.sluice.sync.SyncRun;
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
  /** Queue job kind that starts a connection's scheduled incremental sync; payload {@code {"connection": name}}. */
  public static final String SCHEDULED_SYNC_KIND = "sync-schedule";
  /** How long ids named by webhooks are gathered before their mirror rows are refreshed together. */
  public static final java.time.Duration MIRROR_REFRESH_WINDOW = java.time.Duration.ofMillis(500);
  /** Cron schedule names of connections start with this, so stale ones can be told apart from others' schedules. */
  static final String SCHEDULE_PREFIX = "sync:";
  /** Cron schedule names of pipelines start with this ({@link PipelineEngine#schedule}). */
  static final String PIPELINE_SCHEDULE_PREFIX = "pipeline:";

  private final SluiceConfig config;
  private final PostgresSource ownedDatabase;
  private final DataSource dataSource;
  private final JobQueue queue;
  private final SyncEngine engine;
  private final RateLimits rateLimits;
  private final CronScheduler cron;
  private final InboundEvents inbound;
  private final ConnectorFactory connectorFactory;
  /** Connectors for rule actions: the same buckets, taken first (ActionPriority). */
  private final ConnectorFactory actionConnectors;
  private final Map<String, SourceConnector> connectors = new ConcurrentHashMap<>();
  private final LeadIntake leads;
  private final RulesEngine rules;
  /** Destination connectors by connection, shared by the lead drain and the pipelines. */
  private final Map<String, DestinationConnector> destinations = new ConcurrentHashMap<>();
  private final PipelineEngine pipelines;
  private volatile JobWorker worker;
  private volatile boolean cronStarted;
  private static final ObjectMapper JSON = new ObjectMapper();

  private SluiceRuntime(SluiceConfig config, PostgresSource ownedDatabase, DataSource dataSource, Clock clock) {
    this.config = config;
    this.ownedDatabase = ownedDatabase;
    this.dataSource = dataSource;
    this.queue = JobQueue.builder(dataSource).schema(SCHEMA).clock(clock).build();
    this.rateLimits = new RateLimits(dataSource, SCHEMA, clock);
    this.cron = new CronScheduler(queue, dataSource, SCHEMA, clock);
    // HubSpot and Salesforce events keep the mirror fresh: the ids they name are read (HubSpot: batch
    // read through the connection's connector and rate limit) and upserted every refresh window.
    this.inbound = InboundEvents.builder(dataSource, queue, config.inbound().sources())
        .schema(SCHEMA).clock(clock).keepEvents(config.inbound().keepEvents())
        .maxBatch(config.inbound().commitBatch()).committers(config.inbound().committers())
        .refreshMirror(MIRROR_REFRESH_WINDOW, this::connector).build();
    // Actions go first on a connection's shared buckets: syncs leave what waiting actions hold back.
    ActionPriority priority = new ActionPriority(dataSource, SCHEMA, rateLimits, clock);
    dev.sluice.connectors.ConcurrencyGate slots = dev.sluice.connectors.QueueRateLimitGate.of(rateLimits).concurrencyGate();
    this.connectorFactory = new ConnectorFactory(priority.forSyncs(), slots, dev.sluice.connectors.RateLimitRegistry.builtIn(), clock);
    this.actionConnectors = new ConnectorFactory(priority.forActions(), slots, dev.sluice.connectors.RateLimitRegistry.builtIn(), clock);
    this.engine = new SyncEngine(queue, dataSource, SCHEMA, this::connector, clock);
    this.rules = rulesEngine(config, queue, clock, actionConnectors, priority.forActions());
    LeadIntake.Builder leadIntake = LeadIntake.builder(dataSource).schema(SCHEMA).clock(clock).sources(config.leads().sources());
    if (rules.listensToLeads()) { // on: leads/<source> rules: a job about the stored leads commits with them
      leadIntake.onStored((c, receipts) -> rules.leadsStored(c, receipts.stream().map(dev.sluice.leads.LeadReceipt::leadId).toList()));
    }
    this.leads = leadIntake.build();
    this.pipelines = new PipelineEngine(queue, dataSource, SCHEMA, config.pipelines(), this::destination, clock);
  }

  /** The pipelines of the config: runs, their results and events. */
  public PipelineEngine pipelines() {
    return pipelines;
  }

  /** The rules engine of {@code config}'s rules files; a broken file refuses the start (ConfigException listing every error). */
  private static RulesEngine rulesEngine(SluiceConfig config, JobQueue queue, Clock clock, ConnectorFactory connectors,
      dev.sluice.connectors.RateLimitGate actionGate) {
    RuleSet set;
    try {
      set = RuleSet.load(config.rules().files());
    } catch (RuleFileException e) {
      throw new ConfigException("rules", e.getMessage());
    }
    // email.send takes its permits from the SMTP connection's bucket, as an action (ahead of syncs).
    RulesEngine.Builder b = RulesEngine.builder(queue, set).clock(clock).actionGate(actionGate);
    // HubSpot actions call through the connection's connector: the same shared rate-limit buckets as its syncs.
    dev.sluice.rules.ActionTargets.Builder targets = config.rules().targets().toBuilder();
    config.connections().values().stream().filter(c -> "hubspot".equals(c.platform()))
        .forEach(c -> targets.hubspot(c.name(), () -> connectors.hubspot(c), connectors.searchIndexSettle(c)));
    // Segment, Mailchimp and Salesforce actions likewise write through the connection's connector (its buckets and caps).
    config.connections().values().stream().filter(c -> dev.sluice.rules.ActionTargets.CONNECTOR_PLATFORMS.contains(c.platform()))
        .forEach(c -> targets.connection(c, () -> connectors.destination(c)));
    // sheets.append takes the Google Sheets connection's per-minute permits from the same shared buckets.
    config.connections().values().stream().filter(c -> "google_sheets".equals(c.platform())).forEach(c -> targets.sheets(c, () -> connectors.gate(c)));
    b.targets(targets.build());
    return b.build();
  }

  /** Connections the lead intake needs beyond the workers': its committers and the drainers. */
  static int leadPoolShare(SluiceConfig config) {
    if (config.leads().sources().isEmpty()) return 0;
    long destinations = config.leads().sources().stream().map(LeadSource::destination).filter(java.util.Objects::nonNull).distinct().count();
    return dev.sluice.postgres.GroupCommitter.DEFAULT_COMMITTERS + (int) destinations * config.leads().drainersPerConnection();
  }

  /** Connections the webhook store's committers need beyond the workers' (none without webhooks). */
  static int inboundPoolShare(SluiceConfig config) {
    return config.inbound().sources().isEmpty() ? 0 : config.inbound().committers();
  }

  /**
   * Opens the configured database (external, or embedded under {@code SLUICE_HOME} / {@code .sluice})
   * and migrates it. {@code poolSize} should cover the workers' concurrency plus the API.
   */
  public static SluiceRuntime open(SluiceConfig config, Map<String, String> env, int poolSize) {
    Path home = Path.of(env.getOrDefault(HOME_ENV, ".sluice"));
    PostgresSource db = PostgresSource.open(config.database().orElse(null), home, poolSize + leadPoolShare(config) + inboundPoolShare(config));
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
    rt.pipelines.migrate(); // its tables read the mirror's
    rt.leads.migrate();
    rt.rules.migrate();
    rt.inbound.migrate();
    return rt;
  }

  /** Starts {@code concurrency} handlers in this process for every kind the sync engine runs. */
  public synchronized JobWorker startWorkers(int concurrency) {
    if (worker != null) throw new IllegalStateException("workers already started");
    JobWorker.Builder builder = queue.worker().concurrency(concurrency);
    engine.registerHandlers(builder);
    pipelines.registerHandlers(builder);
    builder.handle(SCHEDULED_SYNC_KIND, this::startScheduledSync);
    rules.registerHandlers(builder);
    if (rules.rules().size() > 0) inbound.onEvent(rules::evaluate); // each stored event's job evaluates the rules
    inbound.registerHandlers(builder);
    worker = builder.start();
    inbound.scheduleRetention(cron);
    scheduleIncrementalSyncs();
    startLeadDrain();
    log.info("workers started, concurrency={}", concurrency);
    return worker;
  }

  /**
   * Stores one cron schedule per connection with {@code cron:} (and drops the schedules of
   * connections that no longer have one) and the sync engine's stalled-stream sweep, then runs the
   * queue's scheduler loop in this process. Every process does this; the queue fires each tick once
   * across all of them.
   */
  private void scheduleIncrementalSyncs() {
    engine.scheduleSweeps(cron);
    rules.schedule(cron); // rules with on: {schedule: …}
    engine.scheduleCleaning(cron, config.retention());
    for (ConnectionConfig c : config.connections().values()) {
      if (c.cron() == null) continue;
      ObjectNode payload = JSON.createObjectNode().put("connection", c.name());
      try {
        cron.schedule(SCHEDULE_PREFIX + c.name(), c.cron(), NewJob.of(SCHEDULED_SYNC_KIND, payload.toString()));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("connections." + c.name() + ".cron", e.getMessage());
      }
    }
    try {
      pipelines.schedule(cron);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("pipelines", e.getMessage());
    }
    for (CronSchedule s : cron.list()) {
      String name = s.name();
      if (name.startsWith(SCHEDULE_PREFIX)) {
        ConnectionConfig c = config.connections().get(name.substring(SCHEDULE_PREFIX.length()));
        if (c == null || c.cron() == null) {
          cron.unschedule(name);
          log.info("cron schedule {} removed: its connection has no cron in the config any more", name);
        }
      } else if (name.startsWith(PIPELINE_SCHEDULE_PREFIX)) {
        var p = config.pipelines().get(name.substring(PIPELINE_SCHEDULE_PREFIX.length()));
        if (p == null || p.cron() == null) {
          cron.unschedule(name);
          log.info("cron schedule {} removed: its pipeline has no cron in the config any more", name);
        }
      }
    }
    cron.start();
    cronStarted = true;
  }

  /** Drains stored leads into every connection a lead source names, in this process. */
  private void startLeadDrain() {
    Map<String, DestinationConnector> leadDestinations = new java.util.LinkedHashMap<>();
    for (LeadSource s : config.leads().sources()) {
      if (s.destination() != null) leadDestinations.put(s.destination(), destination(s.destination()));
    }
    if (!leadDestinations.isEmpty()) {
      leads.startDrain(Map.copyOf(leadDestinations), LeadDrain.Settings.defaults().withDrainers(config.leads().drainersPerConnection())
          .withLease(config.leads().lease()));
      log.info("lead drain started for {}", leadDestinations.keySet());
    }
  }

  private void startScheduledSync(JobContext ctx) {
    String name = ctx.payload().path("connection").asText();
    ConnectionConfig c = config.connections().get(name);
    if (c == null) throw new PermanentJobFailure("connection '" + name + "' is not in this process's config");
    SyncRun run = engine.trigger(new SyncRequest(name, c.objects(), SyncMode.INCREMENTAL));
    log.info("scheduled incremental sync of {}: run {}", name, run.id());
  }

  /** The destination connector of connection {@code name}, built once per process. */
  private DestinationConnector destination(String name) {
    return destinations.computeIfAbsent(name, n -> connectorFactory.destination(config.connection(n)));
  }

  /**
   * The fields of {@code objectType} on {@code connection} as the platform describes them (HubSpot
   * properties, Salesforce describe, Mailchimp merge fields): a request or two, for mapping checks.
   */
  public dev.sluice.connectors.ObjectSchema describe(String connection, String objectType) throws dev.sluice.connectors.ConnectorException {
    ConnectionConfig c = config.connection(connection);
    dev.sluice.connectors.Connector k = ConnectorFactory.SOURCE_PLATFORMS.contains(c.platform()) ? connector(connection) : destination(connection);
    return k.describe(objectType);
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

  /** The cron schedules of this database (connections' incremental syncs among them). */
  public CronScheduler cron() {
    return cron;
  }

  /** The lead intake (sources from the config) and, once workers started, its drain. */
  public LeadIntake leads() {
    return leads;
  }

  /** The rules engine (rules files of the config; decisions per event). */
  public RulesEngine rules() {
    return rules;
  }

  /** The shared rate-limit buckets (the connections' budgets). */
  public RateLimits rateLimits() {
    return rateLimits;
  }

  /** The embedded or external database this runtime opened, or null when the caller owns it. */
  public PostgresSource database() {
    return ownedDatabase;
  }

  /** The webhook receivers and the event store. */
  public InboundEvents inbound() {
    return inbound;
  }

  @Override
  public void close() {
    inbound.close(); // commits what was already received
    if (cronStarted) cron.close();
    JobWorker w = worker;
    if (w != null) {
      try {
        w.close();
      } catch (RuntimeException e) {
        log.warn("workers did not stop cleanly: {}", e.getMessage());
      }
    }
    leads.close();
    destinations.values().forEach(DestinationConnector::close);
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
