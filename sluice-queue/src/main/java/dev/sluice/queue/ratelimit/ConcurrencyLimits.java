package dev.sluice.queue.ratelimit;

import dev.sluice.queue.schema.SqlResource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import javax.sql.DataSource;

/**
 * ConcurrencyLimits are named caps on simultaneous work (table {@code concurrency_slot}), shared by
 * every process on the database: at most N holders of a cap at once, whichever process they run
 * in. For APIs that limit simultaneous connections rather than a rate (Mailchimp: 10 per account):
 *
 * <pre>{@code
 * caps.define("mailchimp-main:connections", 10);
 * try (ConcurrencyLimits.Slot slot = caps.acquire("mailchimp-main:connections", Duration.ofSeconds(2), Duration.ofMinutes(2))
 *     .orElseThrow(...)) {
 *   // one request
 * }
 * }</pre>
 *
 * <p>A slot is leased: a holder that dies without freeing it (a killed process) blocks it only
 * until the lease runs out on the injected {@link Clock}. Taking and freeing are one autocommit
 * statement each. Thread-safe; holds no state besides the data source.
 */
public final class ConcurrencyLimits {

  /** First pause between two tries of a full cap; doubled up to {@link #MAX_POLL}. */
  static final Duration FIRST_POLL = Duration.ofMillis(20);
  /** Longest pause between two tries of a full cap. */
  static final Duration MAX_POLL = Duration.ofMillis(250);
  /** Largest cap (slots are rows). */
  public static final int MAX_SLOTS = 10_000;

  private final DataSource dataSource;
  private final Clock clock;
  private final RateLimitSleeper sleeper;
  private final SqlResource defineSql;
  private final SqlResource acquireSql;
  private final SqlResource releaseSql;
  private final SqlResource heldSql;

  /** Caps in {@code schema} (created by the queue's migrations), leases timed by {@code clock}. */
  public ConcurrencyLimits(DataSource dataSource, String schema, Clock clock) {
    this(dataSource, schema, clock, RateLimitSleeper.THREAD_SLEEP);
  }

  ConcurrencyLimits(DataSource dataSource, String schema, Clock clock, RateLimitSleeper sleeper) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.defineSql = SqlResource.load(ConcurrencyLimits.class, "concurrency_define.sql", schema);
    this.acquireSql = SqlResource.load(ConcurrencyLimits.class, "concurrency_acquire.sql", schema);
    this.releaseSql = SqlResource.load(ConcurrencyLimits.class, "concurrency_release.sql", schema);
    this.heldSql = SqlResource.load(ConcurrencyLimits.class, "concurrency_held.sql", schema);
  }

  /** Caps on the same database, schema and clock as {@code rateLimits}. */
  public static ConcurrencyLimits sharing(RateLimits rateLimits) {
    return new ConcurrencyLimits(rateLimits.dataSource(), rateLimits.schema(), rateLimits.clock());
  }

  /**
   * Creates cap {@code name} with {@code slots} slots, or resizes it: a smaller cap drops its free
   * slots above the new size at once and its held ones when their holders are done. Idempotent
   * (every process may call it at start).
   */
  public void define(String name, int slots) {
    checkName(name);
    if (slots < 1 || slots > MAX_SLOTS) {
      throw new IllegalArgumentException("a concurrency cap needs 1 to " + MAX_SLOTS + " slots, got " + slots);
    }
    run("define", name, c -> {
      try (PreparedStatement ps = defineSql.prepare(c)) {
        defineSql.set(ps, "name", name);
        defineSql.set(ps, "slots", slots);
        defineSql.set(ps, "now", timestamp(now()));
        ps.executeUpdate();
      }
      return null;
    });
  }

  /**
   * Takes one slot of {@code name} if one is free now.
   *
   * @param lease how long the slot stays taken if its holder never frees it (longer than the work)
   * @return the slot, or empty when every slot is held
   * @throws IllegalArgumentException when no cap is named {@code name} (define it first)
   */
  public Optional<Slot> tryAcquire(String name, Duration lease) {
    checkName(name);
    if (lease == null || lease.isNegative() || lease.isZero()) {
      throw new IllegalArgumentException("a slot's lease must be positive, got " + lease);
    }
    UUID holder = UUID.randomUUID();
    Instant now = now();
    OptionalInt slot = run("acquire", name, c -> {
      try (PreparedStatement ps = acquireSql.prepare(c)) {
        acquireSql.set(ps, "name", name);
        acquireSql.set(ps, "holder", holder);
        acquireSql.set(ps, "now", timestamp(now));
        acquireSql.set(ps, "lease_until", timestamp(now.plus(lease)));
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? OptionalInt.of(rs.getInt(1)) : OptionalInt.empty();
        }
      }
    });
    if (slot.isPresent()) {
      return Optional.of(new Slot(name, slot.getAsInt(), holder));
    }
    if (held(name).slots() == 0) {
      throw new IllegalArgumentException("no concurrency cap named '" + name + "' (define it first)");
    }
    return Optional.empty();
  }

  /**
   * Takes one slot of {@code name}, trying again while every slot is held, for at most {@code
   * maxWait} on the injected clock.
   *
   * @return the slot, or empty when none came free in time
   * @throws CancellationException when the thread is interrupted while waiting (the flag stays set)
   */
  public Optional<Slot> acquire(String name, Duration maxWait, Duration lease) {
    Objects.requireNonNull(maxWait, "maxWait");
    Instant deadline = clock.instant().plus(maxWait.isNegative() ? Duration.ZERO : maxWait);
    Duration pause = FIRST_POLL;
    while (true) {
      Optional<Slot> s = tryAcquire(name, lease);
      if (s.isPresent()) {
        return s;
      }
      Duration left = Duration.between(clock.instant(), deadline);
      if (!left.isPositive()) {
        return Optional.empty();
      }
      try {
        sleeper.sleep(pause.compareTo(left) < 0 ? pause : left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CancellationException("interrupted while waiting for a slot of " + name);
      }
      pause = pause.multipliedBy(2).compareTo(MAX_POLL) > 0 ? MAX_POLL : pause.multipliedBy(2);
    }
  }

  /** How many slots of {@code name} are held now (leases not run out), and how many it has. */
  public Usage held(String name) {
    checkName(name);
    Instant now = now();
    return run("read", name, c -> {
      try (PreparedStatement ps = heldSql.prepare(c)) {
        heldSql.set(ps, "name", name);
        heldSql.set(ps, "now", timestamp(now));
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return new Usage(rs.getInt("held"), rs.getInt("slots"));
        }
      }
    });
  }

  /** A cap's use: {@code held} of {@code slots} taken. */
  public record Usage(int held, int slots) {}

  /** A held slot; {@link #close} frees it (once; a slot taken over after its lease ran out is left alone). */
  public final class Slot implements AutoCloseable {
    private final String name;
    private final int slot;
    private final UUID holder;
    private boolean closed;

    private Slot(String name, int slot, UUID holder) {
      this.name = name;
      this.slot = slot;
      this.holder = holder;
    }

    /** The slot's number, 0 to size - 1. */
    public int number() {
      return slot;
    }

    @Override
    public synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      run("release", name, c -> {
        try (PreparedStatement ps = releaseSql.prepare(c)) {
          releaseSql.set(ps, "name", name);
          releaseSql.set(ps, "slot", slot);
          releaseSql.set(ps, "holder", holder);
          ps.executeUpdate();
        }
        return null;
      });
    }
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private static OffsetDateTime timestamp(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }

  private static void checkName(String name) {
    if (name == null || name.isBlank()) throw new IllegalArgumentException("concurrency cap name must not be blank");
    if (name.length() > 200) throw new IllegalArgumentException("concurrency cap name is longer than 200 characters");
  }

  private <T> T run(String operation, String name, RateLimits.SqlWork<T> work) {
    return RateLimits.autocommit(dataSource, "concurrency cap " + operation + " of " + name, work);
  }
}
