package dev.sluice.rules;

import dev.sluice.inbound.StoredEvent;
import dev.sluice.queue.JobQueue;
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

  private RulesEngine(Builder b) {
    this.ds = b.queue.dataSource();
    this.queue = b.queue;
    this.schema = b.queue.schema();
    this.rules = b.rules;
    this.actions = b.actions;
    this.evaluator = new Evaluator(queue, schema, b.clock, actions);
    this.log = new DecisionLog(ds, schema);
  }

  /** An engine running {@code rules}, enqueueing through {@code queue} (its database and schema). */
  public static Builder builder(JobQueue queue, RuleSet rules) {
    return new Builder(queue, rules);
  }

  /**
   * Creates or upgrades the rules tables (Flyway, history table {@code rules_schema_history}) and
   * sets each action kind's dedupe window to the longest {@code dedupe_window} of the rules using
   * it. Idempotent.
   */
  public RulesEngine migrate() {
    queue.migrate();
    Flyway.configure(RulesEngine.class.getClassLoader())
        .dataSource(ds).schemas(schema).defaultSchema(schema).createSchemas(true)
        .table("rules_schema_history")
        .locations("classpath:dev/sluice/rules/migration")
        .baselineOnMigrate(true).baselineVersion("0")
        .load().migrate();
    rules.dedupeWindows().forEach((kind, window) -> {
      KindPolicy p = queue.kindPolicy(kind);
      queue.configureKind(kind, new KindPolicy(p.retry(), p.maxRunning(), p.maxRunningPerKey(), p.timeout(), window));
    });
    return this;
  }

  public RuleSet rules() {
    return rules;
  }

  /** Registers the handlers of {@link #ACTION_KINDS}. */
  public void registerHandlers(JobWorker.Builder worker) {
    actions.register(worker);
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

    private Builder(JobQueue queue, RuleSet rules) {
      this.queue = Objects.requireNonNull(queue);
      this.rules = Objects.requireNonNull(rules);
      this.clock = queue.clock();
    }

    public Builder clock(Clock clock) { this.clock = Objects.requireNonNull(clock); return this; }

    /** The HTTP client actions send with (default: HTTP/1.1, 10 s connect timeout). */
    public Builder httpClient(HttpClient http) { this.http = Objects.requireNonNull(http); return this; }

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
      actions = (preset != null ? preset : targets.build()).actions(http);
      List<RuleError> problems = rules.configProblems(actions);
      if (!problems.isEmpty()) throw new RuleFileException(problems);
      return new RulesEngine(this);
    }
  }
}
