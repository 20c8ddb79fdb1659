package dev.sluice.rules;

import dev.sluice.inbound.StoredEvent;
import dev.sluice.queue.JobHandler;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.JobSnooze;
import dev.sluice.queue.cron.CronScheduler;
import dev.sluice.queue.JobWorker;
import dev.sluice.queue.KindPolicy;
import java.net.http.HttpClient;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * RulesEngine evaluates a {@link RuleSet} on inbound events and runs the actions' jobs. Each
 * evaluation of each listening rule writes one {@code rule_decision} row (the values read, matched
 * or not, which sub-condition decided, the jobs or why none) in the same transaction as the
 * action jobs it enqueues. Each action is one queue job whose dedupe key is the rule's key, so a
 * duplicate delivery or a replay enqueues nothing new. Thread-safe; one instance per process.
 */
public final class RulesEngine {
  /** Action job kinds this engine handles. */
  public static final List<String> ACTION_KINDS = ActionSpec.KINDS;

  private final DataSource ds;
  private final JobQueue queue;
  private final String schema;
  private final RuleSet rules;
  private final Evaluator evaluator;
  private final Actions actions;
  private final DecisionLog log;
  private final Clock clock;
  private final ScheduledRules scheduled;
  private final RecordTriggers records;
  private final RuleStateCleaner cleaner;

  private RulesEngine(Builder b) {
    this.ds = b.queue.dataSource();
    this.queue = b.queue;
    this.schema = b.queue.schema();
    this.rules = b.rules;
    this.actions = b.actions;
    this.evaluator = new Evaluator(queue, schema, b.clock, actions);
    this.log = new DecisionLog(ds, schema);
    this.clock = b.clock;
    this.scheduled = new ScheduledRules(rules, queue);
    this.records = new RecordTriggers(rules, queue, clock);
    this.cleaner = new RuleStateCleaner(ds, schema, clock);
  }

  /** An engine running {@code rules}, enqueueing through {@code queue} (its database and schema). */
  public static Builder builder(JobQueue queue, RuleSet rules) {
    return new Builder(queue, rules);
  }

  /**
   * Creates or upgrades the rules tables (Flyway, history table {@code rules_schema_history}) and
   * sets the per-key concurrency cap of each action kind a rule's {@code concurrency:} names.
   * Idempotent.
   */
  public RulesEngine migrate() {
    queue.migrate();
    migrateSchema(ds, schema);
    rules.concurrencyLimits().forEach((kind, limit) -> {
      KindPolicy p = queue.kindPolicy(kind);
      if (!limit.equals(p.maxRunningPerKey())) {
        queue.configureKind(kind, new KindPolicy(p.retry(), p.maxRunning(), limit, p.timeout(), p.dedupeWindow(), p.keepFinished()));
      }
    });
    return this;
  }

  /** Creates or upgrades the rules tables in {@code schema} (Flyway, history table {@code rules_schema_history}). */
  static void migrateSchema(DataSource ds, String schema) {
    Flyway.configure(RulesEngine.class.getClassLoader())
        .dataSource(ds).schemas(schema).defaultSchema(schema).createSchemas(true)
        .table("rules_schema_history")
        .locations("classpath:dev/sluice/rules/migration")
        .baselineOnMigrate(true).baselineVersion("0")
        .load().migrate();
  }

  public RuleSet rules() {
    return rules;
  }

  /** Registers the handlers of {@link #ACTION_KINDS} (debounced jobs wait for their key to be quiet) and of scheduled rules. */
  public void registerHandlers(JobWorker.Builder worker) {
    actions.register(worker, this::debounced);
    worker.handle(ScheduledRules.TICK_KIND, ctx -> scheduled.handle(ctx, this::evaluate));
    worker.handle(RecordTriggers.LEADS_KIND, ctx -> records.handleLeads(ctx, this::evaluate));
    worker.handle(RecordTriggers.SYNC_KIND, ctx -> records.pollSyncChanges(ctx, this::evaluate));
    worker.handle(RuleStateCleaner.KIND, ctx -> cleanOnce());
  }

  /**
   * Deletes expired dedupe keys, debounce rows fired over a day ago and decisions older than 30
   * days (the schedule {@code rules:clean} runs it every 15 minutes); answers the rows deleted.
   */
  public int cleanOnce() {
    try {
      return cleaner.cleanOnce();
    } catch (SQLException e) {
      throw new IllegalStateException("cleaning the rules' state failed: " + e.getMessage(), e);
    }
  }

  /** True when a rule listens to leads ({@code on: leads/<source>}). */
  public boolean listensToLeads() {
    return records.hasLeadRules();
  }

  /**
   * For sluice-leads' storing transaction ({@code LeadIntake.Builder.onStored}): enqueues, in
   * {@code c}'s transaction, the job that evaluates the lead rules on {@code leadIds} (nothing when
   * no rule listens to leads). Each lead is evaluated as stored when the job runs; its default
   * dedupe key is its id and version, so a repeat that changed nothing does not fire again.
   */
  public void leadsStored(Connection c, List<Long> leadIds) throws SQLException {
    records.leadsStored(c, leadIds);
  }

  /**
   * Declares one cron schedule per rule with {@code on: {schedule: …}} (and drops those of rules no
   * longer in the set); the caller runs the scheduler. Idempotent; every process may call it.
   */
  public void schedule(CronScheduler cron) {
    scheduled.schedule(cron);
    records.schedule(cron);
    cron.schedule(RuleStateCleaner.SCHEDULE, "*/15 * * * *", dev.sluice.queue.NewJob.of(RuleStateCleaner.KIND, "{}"));
  }

  /**
   * A debounced job runs only once its key has been quiet for the debounce period (or its maximum
   * wait is over), with the payload of the latest evaluation; until then it is snoozed (no attempt spent).
   */
  private JobHandler debounced(JobHandler handler) {
    return ctx -> {
      if (!ctx.payload().path("debounced").asBoolean(false)) {
        handler.handle(ctx);
        return;
      }
      java.util.Optional<RuleState.DebounceTurn> turn;
      try (Connection c = ds.getConnection()) {
        turn = evaluator.state().debounceTurn(c, ctx.job().id(), clock.instant());
      }
      if (turn.isEmpty()) {
        handler.handle(ctx);
      } else if (turn.get() instanceof RuleState.DebounceTurn.Wait w) {
        Duration wait = Duration.between(clock.instant(), w.until());
        throw new JobSnooze(wait.isNegative() || wait.isZero() ? Duration.ofMillis(1) : wait);
      } else {
        handler.handle(new PayloadContext(ctx, ((RuleState.DebounceTurn.Run) turn.get()).payload()));
      }
    };
  }

  /** Evaluates {@code rule} on {@code o} in a transaction of its own; answers the decision id. */
  long evaluate(Rule rule, Occurrence o) {
    return evaluate(List.of(rule), o).get(0);
  }

  /** Evaluates {@code rules} on {@code o} in a transaction of their own; answers the decision ids. */
  List<Long> evaluate(List<Rule> rules, Occurrence o) {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try {
        List<Long> id = evaluator.evaluate(rules, o, c);
        c.commit();
        return id;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("rules failed on " + o.trigger() + " " + o.defaultKey() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Evaluates every rule listening to {@code event} in one transaction: decision rows and action
   * jobs commit together. Answers the decisions written (none when no rule listens).
   */
  public List<Long> evaluate(StoredEvent event) {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try {
        List<Long> ids = evaluator.evaluate(rules, event, c);
        c.commit();
        return ids;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("rule evaluation of event " + event.id() + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * A dry run of this engine's rules over {@code events} (see {@link RuleTester}): what each rule
   * would have decided, nothing enqueued or logged.
   */
  public List<RuleTester.Result> dryRun(List<StoredEvent> events) {
    return new RuleTester(queue, evaluator).test(rules, events);
  }

  /** The decisions logged for {@code eventId}, oldest first. */
  public List<Decision> decisions(long eventId) {
    return log.decisions(eventId);
  }

  /** Configures a {@link RulesEngine}; not thread-safe. */
  public static final class Builder {
    private final JobQueue queue;
    private final RuleSet rules;
    private Clock clock;
    private HttpClient http;
    private final ActionTargets.Builder targets = ActionTargets.builder();
    private ActionTargets preset;
    private Actions actions;
    private dev.sluice.connectors.RateLimitGate gate = dev.sluice.connectors.RateLimitGate.unlimited();

    private Builder(JobQueue queue, RuleSet rules) {
      this.queue = Objects.requireNonNull(queue);
      this.rules = Objects.requireNonNull(rules);
      this.clock = queue.clock();
    }

    public Builder clock(Clock clock) { this.clock = Objects.requireNonNull(clock); return this; }

    /** The HTTP client actions send with (default: HTTP/1.1, 10 s connect timeout). */
    public Builder httpClient(HttpClient http) { this.http = Objects.requireNonNull(http); return this; }

    /**
     * Where actions without a connector of their own ({@code email.send}) take their connection's
     * rate-limit permits: the runtime's action view of the shared buckets (default: none taken).
     */
    public Builder actionGate(dev.sluice.connectors.RateLimitGate gate) { this.gate = Objects.requireNonNull(gate); return this; }

    /** An SMTP server {@code email.send} actions may name. */
    public Builder smtp(SmtpConnection connection) { targets.smtp(connection); return this; }

    /** A Slack workspace {@code slack.post} (bot token) and {@code slack.webhook} (webhook URL) actions may name. */
    public Builder slack(SlackConnection connection) { targets.slack(connection); return this; }

    /** Everything actions may name, as sluice.yaml configures it (replaces {@link #slack} and {@link #signingKey}). */
    public Builder targets(ActionTargets targets) { this.preset = Objects.requireNonNull(targets); return this; }

    /** An HMAC key {@code http.request} actions may sign with ({@code sign: {key: name}}); never stored or logged. */
    public Builder signingKey(String name, byte[] secret) { targets.signingKey(name, secret); return this; }

    /**
     * The engine; a {@link RuleFileException} when an action names a connection or signing key
     * not given to this builder.
     */
    public RulesEngine build() {
      ActionHttp http = new ActionHttp(this.http != null ? this.http
          : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).version(HttpClient.Version.HTTP_1_1).build(), clock);
      actions = (preset != null ? preset : targets.build()).actions(http, gate);
      List<RuleError> problems = rules.configProblems(actions);
      if (!problems.isEmpty()) throw new RuleFileException(problems);
      return new RulesEngine(this);
    }
  }
}
