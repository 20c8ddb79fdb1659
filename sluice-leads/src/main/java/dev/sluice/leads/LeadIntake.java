package dev.sluice.leads;

import dev.sluice.connectors.DestinationConnector;
import dev.sluice.leads.SubmissionCheck.Submission;
import dev.sluice.postgres.GroupCommitter;
import dev.sluice.queue.schema.SqlResource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * Lead intake: checks a submission against its {@link LeadSource}, stores it durably (deduplicated
 * by the database on source and normalized email) and answers only after the commit; starts the
 * {@link LeadDrain} that sends stored leads to their CRM. Thread-safe; one per process.
 *
 * <pre>{@code
 * LeadIntake intake = LeadIntake.builder(dataSource).schema("sluice").sources(sources).build();
 * intake.migrate();
 * LeadReceipt r = intake.submit(source, Map.of("email", "ann@example.com")).join();
 * LeadDrain drain = intake.startDrain(Map.of("hubspot-main", connector), LeadDrain.Settings.defaults());
 * }</pre>
 */
public final class LeadIntake implements AutoCloseable {
  private final DataSource dataSource;
  private final String schema;
  private final Clock clock;
  private final Map<String, LeadSource> sources;
  private final LeadStore store;
  private final GroupCommitter<Submission, LeadReceipt> committer;
  private final PerIpLimiter perIp;
  private final List<LeadDrain> drains = new CopyOnWriteArrayList<>();
  private final StoredHook onStored;

  /**
   * Runs in each storing transaction, after the leads are written and before the commit (e.g. to
   * enqueue the rules' job about them): its work commits with the leads or not at all.
   */
  @FunctionalInterface
  public interface StoredHook {
    void stored(java.sql.Connection c, List<LeadReceipt> receipts) throws SQLException;
  }

  private List<LeadReceipt> store(java.sql.Connection c, List<Submission> batch) throws SQLException {
    List<LeadReceipt> receipts = store.store(c, batch, clock.instant());
    if (onStored != null) onStored.stored(c, receipts);
    return receipts;
  }

  private LeadIntake(Builder b) {
    this.dataSource = b.dataSource;
    this.schema = SqlResource.checkSchema(b.schema);
    this.clock = b.clock;
    this.sources = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.sources));
    this.store = new LeadStore(schema);
    this.perIp = new PerIpLimiter(clock);
    this.onStored = b.onStored;
    this.committer = GroupCommitter.<Submission, LeadReceipt>builder(dataSource, this::store)
        .committers(b.committers).maxBatch(b.maxBatch).name("leads").build();
  }

  /** An intake on {@code dataSource}; see {@link Builder}. */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  /**
   * Creates or upgrades the lead table (Flyway, history table {@code leads_schema_history}, beside
   * the other modules' tables in the same schema). Idempotent; safe from every process.
   */
  public void migrate() {
    Flyway.configure(LeadIntake.class.getClassLoader())
        .dataSource(dataSource)
        .schemas(schema)
        .defaultSchema(schema)
        .table("leads_schema_history")
        .locations("classpath:db/leads")
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .load()
        .migrate();
  }

  /** The configured sources by name. */
  public Map<String, LeadSource> sources() {
    return sources;
  }

  /** The source whose intake key is {@code key}, if any (every key is compared, in constant time each). */
  public Optional<LeadSource> sourceForKey(String key) {
    if (key == null) return Optional.empty();
    byte[] digest = LeadSource.digest(key); // once per request, not once per source
    LeadSource found = null;
    for (LeadSource s : sources.values()) {
      if (s.digestMatches(digest)) found = s;
    }
    return Optional.ofNullable(found);
  }

  /**
   * The per-IP limit of {@code source}: empty when {@code ip} may submit now (and counts this
   * submission), else how long until it may (answer 429 with Retry-After).
   */
  public Optional<Duration> admit(LeadSource source, String ip) {
    return perIp.admit(source, ip);
  }

  /**
   * Checks and stores one submission. The future completes after the commit (with
   * {@code synchronous_commit} on) that holds it; concurrent submissions share commits unless the
   * source says {@link LeadSource.CommitMode#PER_REQUEST}.
   *
   * @param fields the submitted fields, {@code email} among them; blank values never overwrite
   * @throws InvalidLeadException before anything is stored, with the reason for a 400
   * @throws java.util.concurrent.RejectedExecutionException when too many submissions wait (answer 503)
   */
  public CompletableFuture<LeadReceipt> submit(LeadSource source, Map<String, String> fields) {
    Submission s = SubmissionCheck.check(Objects.requireNonNull(source, "source"), fields);
    CompletableFuture<LeadReceipt> f;
    if (source.commitMode() == LeadSource.CommitMode.PER_REQUEST) {
      f = new CompletableFuture<>();
      try {
        f.complete(storeAlone(s));
      } catch (SQLException e) {
        f.completeExceptionally(e);
      }
    } else {
      f = committer.submit(s);
    }
    if (s.destination() != null) f.thenRun(this::wakeDrains);
    return f;
  }

  /** The baseline: one transaction for one submission, on the caller's thread. */
  private LeadReceipt storeAlone(Submission s) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        try (Statement st = c.createStatement()) {
          st.execute("SET LOCAL synchronous_commit TO on");
        }
        LeadReceipt r = store(c, List.of(s)).get(0);
        c.commit();
        return r;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }
  }

  /** The lead {@code id}, if stored. */
  public Optional<Lead> lead(long id) {
    return read(c -> Optional.ofNullable(store.lead(c, id)));
  }

  /** Leads newest first, optionally of one state and/or source, with ids below {@code beforeId}. */
  public List<Lead> leads(LeadState state, String source, Long beforeId, int limit) {
    if (limit < 1 || limit > 1000) throw new IllegalArgumentException("limit must be 1..1000");
    return read(c -> store.leads(c, state, source, beforeId, limit));
  }

  /** Counts per source and state. */
  public LeadCounts counts() {
    return read(store::counts);
  }

  /** Leads of {@code destination} not yet sent or rejected (waiting, retrying or in flight). */
  public long waiting(String destination) {
    return read(c -> store.waiting(c, destination));
  }

  /**
   * Starts draining stored leads into {@code destinations} (connection name → connector), one set
   * of drainers per connection; closing the intake stops it.
   */
  public LeadDrain startDrain(Map<String, DestinationConnector> destinations, LeadDrain.Settings settings) {
    LeadDrain d = new LeadDrain(dataSource, store, clock, sources, destinations, settings);
    drains.add(d);
    return d;
  }

  private void wakeDrains() {
    for (LeadDrain d : drains) d.wake();
  }

  /** Transactions and submissions committed by the group committer so far. */
  public long[] commitStats() {
    return new long[] {committer.batches(), committer.items()};
  }

  /** Stops the drains, then commits what waits and stops the committer. */
  @Override
  public void close() {
    List<LeadDrain> all = new ArrayList<>(drains);
    drains.clear();
    all.forEach(LeadDrain::close);
    committer.close();
  }

  @FunctionalInterface
  private interface Read<T> {
    T apply(Connection c) throws SQLException;
  }

  private <T> T read(Read<T> r) {
    try (Connection c = dataSource.getConnection()) {
      return r.apply(c);
    } catch (SQLException e) {
      throw new IllegalStateException("reading leads failed: " + e.getMessage(), e);
    }
  }

  /** Settings of a {@link LeadIntake}. */
  public static final class Builder {
    private final DataSource dataSource;
    private String schema = "sluice";
    private Clock clock = Clock.systemUTC();
    private Map<String, LeadSource> sources = Map.of();
    private int committers = GroupCommitter.DEFAULT_COMMITTERS;
    private int maxBatch = GroupCommitter.DEFAULT_MAX_BATCH;
    private StoredHook onStored;

    private Builder(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** The schema of the lead table (default {@code sluice}). */
    public Builder schema(String schema) {
      this.schema = schema;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    public Builder sources(List<LeadSource> list) {
      Map<String, LeadSource> m = new LinkedHashMap<>();
      for (LeadSource s : list) {
        if (m.put(s.name(), s) != null) throw new IllegalArgumentException("lead source '" + s.name() + "' is defined twice");
      }
      this.sources = m;
      return this;
    }

    /** Group-commit threads (each holds a pooled connection while committing). */
    public Builder committers(int n) {
      this.committers = n;
      return this;
    }

    public Builder maxBatch(int n) {
      this.maxBatch = n;
      return this;
    }

    /** Work done in each storing transaction with the leads just stored (see {@link StoredHook}). */
    public Builder onStored(StoredHook hook) {
      this.onStored = Objects.requireNonNull(hook);
      return this;
    }

    public LeadIntake build() {
      return new LeadIntake(this);
    }
  }
}
