package dev.sluice.queue.cron;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.queue.EnqueueResult;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.JobQueueException;
import dev.sluice.queue.NewJob;
import dev.sluice.queue.schema.SqlResource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CronScheduler turns stored cron schedules (table {@code cron_schedule}) into jobs, exactly one
 * job per tick across all processes:
 *
 * <pre>{@code
 * new CronScheduler(queue, dataSource, schema, clock).schedule("incremental-hubspot", "0,15,30,45 * * * *", NewJob.of("sync-trigger", json));
 * }</pre>
 *
 * <p>Every process runs one scheduler loop ({@link #start()}); each pass ({@link #tick(Instant)})
 * reads the schedules and, for each tick that is due, moves the schedule's {@code last_tick}
 * forward with a compare-and-set UPDATE and enqueues the job in the same transaction, with dedupe
 * key {@code cron:<name>:<tick>} and run-at = the tick. Only the process whose UPDATE matched
 * enqueues; the dedupe key is a second guard (a re-created schedule cannot fire a tick twice within
 * the queue's dedupe window).
 *
 * <p><b>Missed ticks.</b> When no process ran for a while, the next pass fires the
 * <em>latest</em> due tick once and skips the older ones (a sync trigger that missed three runs
 * needs one run, not three). A new schedule fires from its first tick after creation.
 *
 * <p>Expressions are Unix cron (5 fields: minute hour day-of-month month day-of-week), read in UTC
 * unless a zone is given. Thread-safe.
 */
public final class CronScheduler implements AutoCloseable {
  /** How often the loop started by {@link #start()} looks for due ticks. */
  public static final Duration RUN_INTERVAL_DEFAULT = Duration.ofSeconds(1);
  /** Zone of a schedule created without one. */
  public static final ZoneId ZONE_DEFAULT = ZoneOffset.UTC;
  /** Prefix of every cron job's dedupe key: {@code cron:<name>:<tick instant>}. */
  public static final String DEDUPE_KEY_PREFIX = "cron:";

  private static final Logger log = LoggerFactory.getLogger(CronScheduler.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final JobQueue queue;
  private final DataSource dataSource;
  private final Clock clock;
  private final SqlResource upsertSql;
  private final SqlResource listSql;
  private final SqlResource claimTickSql;
  private final SqlResource deleteSql;
  private final Map<String, CronExpression> parsed = new ConcurrentHashMap<>();

  private Thread loop;
  private CountDownLatch stop;

  /** A scheduler for the schedules in {@code schema}, enqueuing into {@code queue}. */
  public CronScheduler(JobQueue queue, DataSource dataSource, String schema, Clock clock) {
    this.queue = Objects.requireNonNull(queue, "queue");
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.upsertSql = SqlResource.load(CronScheduler.class, "cron_upsert.sql", schema);
    this.listSql = SqlResource.load(CronScheduler.class, "cron_list.sql", schema);
    this.claimTickSql = SqlResource.load(CronScheduler.class, "cron_claim_tick.sql", schema);
    this.deleteSql = SqlResource.load(CronScheduler.class, "cron_delete.sql", schema);
  }

  /** {@link #schedule(String, String, ZoneId, NewJob)} in UTC. */
  public void schedule(String name, String cronExpression, NewJob template) {
    schedule(name, cronExpression, ZONE_DEFAULT, template);
  }

  /**
   * Creates or changes the schedule {@code name}: at every tick of {@code cronExpression} (read in
   * {@code zone}) one job like {@code template} is enqueued, cluster-wide. Changing an existing
   * schedule keeps its last fired tick, so declaring schedules at every start is safe.
   *
   * @throws IllegalArgumentException when the expression is not valid 5-field Unix cron (the message
   *     says why), or the template sets a dedupe key or run-at (both are the tick's)
   */
  public void schedule(String name, String cronExpression, ZoneId zone, NewJob template) {
    checkName(name);
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(template, "template");
    CronExpression expression = CronExpression.parse(cronExpression, zone);
    if (template.dedupeKey() != null) {
      throw new IllegalArgumentException("cron schedule '" + name + "': the job template must not set a dedupe key (each tick's job gets "
          + DEDUPE_KEY_PREFIX + name + ":<tick>)");
    }
    if (template.runAt() != null) {
      throw new IllegalArgumentException("cron schedule '" + name + "': the job template must not set runAt (each job runs at its tick)");
    }
    String job = templateJson(template);
    Instant now = clock.instant();
    run("schedule " + name, c -> {
      try (PreparedStatement ps = upsertSql.prepare(c)) {
        upsertSql.set(ps, "name", name);
        upsertSql.set(ps, "expression", expression.text());
        upsertSql.set(ps, "zone", zone.getId());
        upsertSql.set(ps, "job", job);
        upsertSql.set(ps, "now", timestamp(now));
        ps.executeUpdate();
      }
      return null;
    });
  }

  /** Deletes the schedule {@code name}; jobs already enqueued stay. False when there was none. */
  public boolean unschedule(String name) {
    checkName(name);
    return run("unschedule " + name, c -> {
      try (PreparedStatement ps = deleteSql.prepare(c)) {
        deleteSql.set(ps, "name", name);
        return ps.executeUpdate() > 0;
      }
    });
  }

  /** Every schedule, by name. */
  public List<CronSchedule> list() {
    return run("list schedules", c -> {
      List<CronSchedule> out = new ArrayList<>();
      for (StoredSchedule s : read(c)) {
        out.add(new CronSchedule(s.name, s.expression.text(), s.expression.zone(), s.template, s.lastTick,
            s.expression.next(s.lastTick).orElse(null)));
      }
      return out;
    });
  }

  /** One pass at the clock's instant; see {@link #tick(Instant)}. */
  public List<CronTick> tick() {
    return tick(clock.instant());
  }

  /**
   * One pass: for every schedule whose latest tick at or before {@code now} has not fired yet,
   * enqueues its job, unless another process does it first. When this returns, every schedule's
   * ticks up to {@code now} are fired (by this process or another). Safe to call from many threads
   * and processes at once.
   *
   * @return the ticks this call turned into jobs
   */
  public List<CronTick> tick(Instant now) {
    Objects.requireNonNull(now, "now");
    return run("cron pass", c -> {
      List<CronTick> fired = new ArrayList<>();
      SQLException firstFailure = null;
      for (StoredSchedule s : read(c)) {
        // one failing schedule must not keep the others from firing
        try {
          fireDue(c, s, now, fired);
        } catch (SQLException | RuntimeException e) {
          log.warn("cron schedule {} could not fire: {}", s.name, e.getMessage());
          if (firstFailure == null) {
            firstFailure = e instanceof SQLException sql ? sql : new SQLException(e.getMessage(), e);
          }
        }
      }
      if (firstFailure != null) throw firstFailure;
      return fired;
    });
  }

  private void fireDue(Connection c, StoredSchedule s, Instant now, List<CronTick> fired) throws SQLException {
    Instant lastTick = s.lastTick;
    while (true) {
      Optional<Instant> due = s.expression.latestDue(lastTick, now);
      if (due.isEmpty()) return;
      Instant tick = due.get();
      if (claimAndEnqueue(c, s, lastTick, tick, fired)) return;
      // another process moved last_tick meanwhile: re-read it and fire what is still due
      Optional<Instant> current = currentLastTick(c, s.name);
      if (current.isEmpty()) return; // unscheduled meanwhile
      lastTick = current.get();
    }
  }

  private boolean claimAndEnqueue(Connection c, StoredSchedule s, Instant expected, Instant tick, List<CronTick> fired)
      throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      int claimed;
      try (PreparedStatement ps = claimTickSql.prepare(c)) {
        claimTickSql.set(ps, "name", s.name);
        claimTickSql.set(ps, "expected", timestamp(expected));
        claimTickSql.set(ps, "tick", timestamp(tick));
        claimed = ps.executeUpdate();
      }
      if (claimed == 0) {
        c.rollback();
        return false;
      }
      NewJob job = s.template.toBuilder()
          .runAt(tick)
          .dedupeKey(DEDUPE_KEY_PREFIX + s.name + ":" + tick)
          .build();
      EnqueueResult result = queue.enqueue(c, job);
      c.commit();
      fired.add(new CronTick(s.name, tick, result));
      log.info("cron schedule {} fired tick {} as job {}{}", s.name, tick, result.id(), result.created() ? "" : " (already enqueued)");
      return true;
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(autoCommit);
    }
  }

  private Optional<Instant> currentLastTick(Connection c, String name) throws SQLException {
    for (StoredSchedule s : read(c, name)) {
      return Optional.of(s.lastTick);
    }
    return Optional.empty();
  }

  /**
   * Starts this process's scheduler loop: a pass every {@link #RUN_INTERVAL_DEFAULT}. A failing
   * pass (database away) is logged and retried at the next interval.
   */
  public CronScheduler start() {
    return start(RUN_INTERVAL_DEFAULT);
  }

  /** Starts the loop with a pass every {@code runInterval}. */
  public synchronized CronScheduler start(Duration runInterval) {
    if (runInterval == null || runInterval.isNegative() || runInterval.isZero()) {
      throw new IllegalArgumentException("cron run interval must be positive, got " + runInterval);
    }
    if (loop != null) throw new IllegalStateException("cron scheduler already started");
    CountDownLatch stopSignal = new CountDownLatch(1);
    stop = stopSignal;
    loop = Thread.ofPlatform().daemon().name("sluice-cron").start(() -> {
      try {
        do {
          try {
            tick(clock.instant());
          } catch (RuntimeException e) {
            log.warn("cron pass failed; retrying in {}: {}", runInterval, e.getMessage());
          }
        } while (!stopSignal.await(runInterval.toMillis(), TimeUnit.MILLISECONDS));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    return this;
  }

  /** Stops the loop, waiting for a pass in progress to finish. Idempotent. */
  @Override
  public synchronized void close() {
    if (loop == null) return;
    stop.countDown();
    try {
      loop.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    loop = null;
  }

  // --- storage ---

  private record StoredSchedule(String name, CronExpression expression, NewJob template, Instant lastTick) {
  }

  private List<StoredSchedule> read(Connection c) throws SQLException {
    return read(c, null);
  }

  private List<StoredSchedule> read(Connection c, String name) throws SQLException {
    List<StoredSchedule> out = new ArrayList<>();
    try (PreparedStatement ps = listSql.prepare(c)) {
      listSql.set(ps, "name", name);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String scheduleName = rs.getString("name");
          try {
            CronExpression expression = expression(rs.getString("expression"), rs.getString("zone"));
            out.add(new StoredSchedule(scheduleName, expression, template(rs.getString("job")),
                rs.getObject("last_tick", OffsetDateTime.class).toInstant()));
          } catch (IllegalArgumentException | DateTimeException e) {
            // a row written by hand or by a newer version: skip it, keep the others firing
            log.warn("cron schedule {} is unreadable and skipped: {}", scheduleName, e.getMessage());
          }
        }
      }
    }
    return out;
  }

  private CronExpression expression(String text, String zone) {
    return parsed.computeIfAbsent(zone + " " + text, k -> CronExpression.parse(text, ZoneId.of(zone)));
  }

  /** The template as stored: its payload embedded as JSON, not as a string. */
  private static String templateJson(NewJob template) {
    ObjectNode node = JSON.createObjectNode();
    node.put("kind", template.kind());
    try {
      node.set("payload", JSON.readTree(template.payload()));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("job template payload is not valid JSON: " + e.getOriginalMessage());
    }
    node.put("priority", template.priority());
    if (template.maxAttempts() != null) node.put("maxAttempts", template.maxAttempts());
    if (template.concurrencyKey() != null) node.put("concurrencyKey", template.concurrencyKey());
    if (template.timeout() != null) node.put("timeoutMs", template.timeout().toMillis());
    return node.toString();
  }

  private static NewJob template(String json) {
    try {
      JsonNode node = JSON.readTree(json);
      NewJob.Builder b = NewJob.builder(node.path("kind").asText())
          .payload(node.path("payload").toString())
          .priority(node.path("priority").asInt(0));
      if (node.hasNonNull("maxAttempts")) b.maxAttempts(node.get("maxAttempts").asInt());
      if (node.hasNonNull("concurrencyKey")) b.concurrencyKey(node.get("concurrencyKey").asText());
      if (node.hasNonNull("timeoutMs")) b.timeout(Duration.ofMillis(node.get("timeoutMs").asLong()));
      return b.build();
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("stored job template is not valid JSON: " + e.getOriginalMessage());
    }
  }

  private static OffsetDateTime timestamp(Instant instant) {
    return instant.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
  }

  private static void checkName(String name) {
    if (name == null || name.isBlank()) throw new IllegalArgumentException("cron schedule name must not be blank");
    if (name.length() > 200) throw new IllegalArgumentException("cron schedule name is longer than 200 characters: " + name.substring(0, 40) + "…");
  }

  private interface SqlWork<T> {
    T run(Connection c) throws SQLException;
  }

  private <T> T run(String what, SqlWork<T> work) {
    try (Connection c = dataSource.getConnection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw new JobQueueException(what + " failed: " + e.getMessage(), e);
    }
  }
}
