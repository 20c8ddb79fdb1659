package dev.sluice.leads;

import dev.sluice.connectors.DestinationConnector;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * Sends stored leads to their destination connection: per connection, a few drainers claim up to
 * the connector's batch size ({@code FOR UPDATE SKIP LOCKED}, leased) and upsert them by email
 * under the connection's shared rate limit, so records/s stays at the CRM's ceiling while leads
 * wait. Any number of processes may drain the same connection. Started by
 * {@link LeadIntake#startDrain}; thread-safe.
 */
public final class LeadDrain implements AutoCloseable {

  /**
   * @param drainersPerConnection concurrent batches per connection in this process
   * @param lease how long a claimed batch is reserved for its drainer; a drainer that dies leaves
   *     its leads to another after this
   * @param idlePoll how often an idle drainer looks for leads stored by other processes (leads
   *     stored by this process wake it at once)
   * @param retryBase first wait after a failed send (5xx, timeout), doubled per attempt
   * @param retryMax longest wait between attempts (no lead is ever given up on)
   * @param maxRateLimitHold longest 429 wait a drainer sits out holding its batch; longer waits
   *     (the daily limit) hand the batch back as {@code retrying} without spending an attempt
   * @param objectType the CRM object leads are upserted into
   */
  public record Settings(int drainersPerConnection, Duration lease, Duration idlePoll, Duration retryBase,
      Duration retryMax, Duration maxRateLimitHold, String objectType) {
    /**
     * Batches in flight per connection and process by default. A batch's cycle (claim, permit,
     * upsert, record: two commits and a CRM call) took ~140 ms on a 2-core machine under a lead spike
     * (two drainers drained 1,447 records/s = 14.5 calls/s), where HubSpot's Professional limit allows 19; four keep the limit,
     * not the cycle, the bound. The shared rate-limit buckets keep any number within the CRM's limit.
     */
    public static final int DEFAULT_DRAINERS = 4;
    public static final Duration DEFAULT_LEASE = Duration.ofMinutes(1);
    public static final Duration DEFAULT_IDLE_POLL = Duration.ofMillis(500);
    public static final Duration DEFAULT_RETRY_BASE = Duration.ofSeconds(1);
    public static final Duration DEFAULT_RETRY_MAX = Duration.ofMinutes(5);
    public static final Duration DEFAULT_MAX_RATE_LIMIT_HOLD = Duration.ofSeconds(30);

    public Settings {
      if (drainersPerConnection < 1) throw new IllegalArgumentException("drainersPerConnection must be at least 1");
      Objects.requireNonNull(lease);
      Objects.requireNonNull(idlePoll);
      Objects.requireNonNull(retryBase);
      Objects.requireNonNull(retryMax);
      Objects.requireNonNull(maxRateLimitHold);
      Objects.requireNonNull(objectType);
      if (maxRateLimitHold.compareTo(lease.dividedBy(2)) > 0) {
        throw new IllegalArgumentException("maxRateLimitHold must be at most half the lease");
      }
    }

    public static Settings defaults() {
      return new Settings(DEFAULT_DRAINERS, DEFAULT_LEASE, DEFAULT_IDLE_POLL, DEFAULT_RETRY_BASE, DEFAULT_RETRY_MAX,
          DEFAULT_MAX_RATE_LIMIT_HOLD, "contacts");
    }

    public Settings withRetryBase(Duration base) {
      return new Settings(drainersPerConnection, lease, idlePoll, base, retryMax, maxRateLimitHold, objectType);
    }

    /** The same with {@code lease}; a rate-limit hold is capped at half of it. */
    public Settings withLease(Duration lease) {
      Duration hold = maxRateLimitHold.compareTo(lease.dividedBy(2)) > 0 ? lease.dividedBy(2) : maxRateLimitHold;
      return new Settings(drainersPerConnection, lease, idlePoll, retryBase, retryMax, hold, objectType);
    }

    public Settings withDrainers(int n) {
      return new Settings(n, lease, idlePoll, retryBase, retryMax, maxRateLimitHold, objectType);
    }
  }

  private final List<ConnectionDrainer> drainers = new ArrayList<>();
  private final Object signal = new Object();
  private long generation;
  /** {@link System#nanoTime()} of the last {@link #wake()}: when this process last stored leads. */
  private volatile long lastStored = System.nanoTime() - Long.MAX_VALUE / 2;
  final AtomicLong sent = new AtomicLong();
  final AtomicLong rejected = new AtomicLong();
  final AtomicLong failedSends = new AtomicLong();
  final AtomicLong rateLimitWaits = new AtomicLong();
  final AtomicLong requests = new AtomicLong();
  final AtomicLong released = new AtomicLong();
  final DrainPhases phases;

  LeadDrain(DataSource dataSource, LeadStore store, Clock clock, Map<String, LeadSource> sources,
      Map<String, DestinationConnector> destinations, Settings settings) {
    this.phases = new DrainPhases(String.join(",", destinations.keySet()));
    for (Map.Entry<String, DestinationConnector> e : destinations.entrySet()) {
      for (int i = 0; i < settings.drainersPerConnection(); i++) {
        ConnectionDrainer d = new ConnectionDrainer(this, dataSource, store, clock, sources, e.getKey(), e.getValue(), settings);
        drainers.add(d);
      }
    }
    drainers.forEach(ConnectionDrainer::start);
  }

  /** Tells idle drainers that leads were stored (they also poll, for leads stored by other processes). */
  public void wake() {
    lastStored = System.nanoTime();
    synchronized (signal) {
      generation++;
      signal.notifyAll();
    }
  }

  /** Waits up to {@code max} for a {@link #wake()} after {@code seen}; returns the generation now. */
  long awaitWork(long seen, Duration max) throws InterruptedException {
    synchronized (signal) {
      if (generation == seen) signal.wait(Math.max(1, max.toMillis()));
      return generation;
    }
  }

  /** Whether this process stored leads within the last {@code d} (a partial batch may fill). */
  boolean storedWithin(Duration d) {
    return System.nanoTime() - lastStored < d.toNanos();
  }

  long generation() {
    synchronized (signal) {
      return generation;
    }
  }

  /** Leads the CRM accepted through this drain. */
  public long sent() {
    return sent.get();
  }

  /** Leads the CRM refused through this drain. */
  public long rejected() {
    return rejected.get();
  }

  /** Batch calls made to the CRM (including those answered 429 or 5xx). */
  public long requests() {
    return requests.get();
  }

  /** Times a drainer waited for the rate limit (a 429 or a spent shared bucket); no attempt spent. */
  public long rateLimitWaits() {
    return rateLimitWaits.get();
  }

  /** Leads handed back to be sent again because their outcome could not be recorded. */
  public long released() {
    return released.get();
  }

  /** Sends that failed and will be retried (5xx, timeouts). */
  public long failedSends() {
    return failedSends.get();
  }

  /** Stops the drainers; a batch in flight keeps its lease and is taken again when it ends. */
  @Override
  public void close() {
    drainers.forEach(ConnectionDrainer::stop);
    wake();
    drainers.forEach(ConnectionDrainer::join);
  }
}
