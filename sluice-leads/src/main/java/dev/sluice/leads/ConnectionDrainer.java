package dev.sluice.leads;

import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.DestinationConnector;
import dev.sluice.connectors.OutboundRecord;
import dev.sluice.connectors.WriteResult;
import dev.sluice.leads.LeadStore.Claimed;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One drainer thread of one connection: claim a batch, upsert it, record each lead's outcome.
 * 429 → wait as told and send the same batch again (no attempt spent); 5xx / timeout → the batch
 * goes to {@code retrying} with backoff; a per-record refusal → that lead {@code rejected}; a whole
 * batch refused as bad → split in halves until the bad lead is alone.
 */
final class ConnectionDrainer {
  private static final Logger log = LoggerFactory.getLogger(ConnectionDrainer.class);

  private final LeadDrain owner;
  private final DataSource dataSource;
  private final LeadStore store;
  private final Clock clock;
  private final Map<String, LeadSource> sources;
  private final String connection;
  private final DestinationConnector connector;
  private final LeadDrain.Settings settings;
  private final Thread thread;
  private volatile boolean stopping;

  /**
   * How long a drainer holds a partial batch for more leads while leads are being stored, and how
   * many times in a row; after each wait it tops the batch up under the same claim. Every call costs
   * one permit of the CRM's limit whatever its size: without the hold, a drain that starts while a
   * spike is still arriving spends the rolling window's permits on batches of a dozen leads (measured:
   * ~18 leads a call for the first 10 s of a 2,700 leads/s spike, see docs/benchmarks.md), capacity
   * that is gone for that window. A lead on an idle queue still leaves within FILL_WAIT × FILL_WAITS
   * (0.4 s) plus one cycle. The batch is never handed back, so no row changes hands while it fills.
   */
  static final Duration FILL_WAIT = Duration.ofMillis(100);
  static final int FILL_WAITS = 4;
  /** Tries of an outcome commit (a deadlock or a dropped connection passes) before the batch is released. */
  static final int OUTCOME_TRIES = 3;

  ConnectionDrainer(LeadDrain owner, DataSource dataSource, LeadStore store, Clock clock, Map<String, LeadSource> sources,
      String connection, DestinationConnector connector, LeadDrain.Settings settings) {
    this.owner = owner;
    this.dataSource = dataSource;
    this.store = store;
    this.clock = clock;
    this.sources = sources;
    this.connection = connection;
    this.connector = connector;
    this.settings = settings;
    this.thread = new Thread(this::run, "lead-drain-" + connection);
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  void stop() {
    stopping = true;
  }

  void join() {
    try {
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    long seen = owner.generation();
    while (!stopping) {
      try {
        long t0 = System.nanoTime();
        List<Claimed> batch = claim();
        owner.phases.claim(System.nanoTime() - t0);
        if (batch.isEmpty()) {
          seen = owner.awaitWork(seen, settings.idlePoll());
          continue;
        }
        send(fill(batch));
      } catch (InterruptedException e) {
        if (stopping) return;
      } catch (SQLException | RuntimeException e) {
        log.warn("lead drain of {} failed, retrying shortly: {}", connection, e.toString());
        try {
          Thread.sleep(settings.idlePoll().toMillis());
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  private List<Claimed> claim() throws SQLException {
    return claim(List.of(), UUID.randomUUID());
  }

  /**
   * {@code held} (leads of claim {@code token}) and up to a full batch more claimed under the same
   * token. One CRM record per email: a second lead with the same address (another source) is handed
   * back for the next batch, so a batch never upserts one email twice.
   */
  private List<Claimed> claim(List<Claimed> held, UUID token) throws SQLException {
    Instant now = clock.instant();
    try (Connection c = dataSource.getConnection()) {
      List<Claimed> claimed = store.claim(c, connection, connector.maxBatchSize() - held.size(), now, now.plus(settings.lease()), token);
      if (claimed.isEmpty()) return held;
      Set<String> emails = new HashSet<>();
      held.forEach(l -> emails.add(l.email()));
      List<Claimed> batch = new ArrayList<>(held.size() + claimed.size());
      batch.addAll(held);
      List<Long> later = new ArrayList<>();
      for (Claimed l : claimed) {
        if (emails.add(l.email())) batch.add(l);
        else later.add(l.id());
      }
      if (!later.isEmpty()) store.release(c, later, token, now);
      return batch;
    }
  }

  /**
   * Holds a partial batch while leads are being stored, topping it up after each {@link #FILL_WAIT}
   * (at most {@link #FILL_WAITS} times), so that the call it costs carries as many leads as it can.
   */
  private List<Claimed> fill(List<Claimed> batch) throws SQLException, InterruptedException {
    UUID token = batch.get(0).token();
    try {
      for (int waits = 0; waits < FILL_WAITS && batch.size() < connector.maxBatchSize() && !stopping
          && owner.storedWithin(FILL_WAIT); waits++) {
        Thread.sleep(FILL_WAIT.toMillis());
        long t0 = System.nanoTime();
        batch = claim(batch, token);
        owner.phases.claim(System.nanoTime() - t0);
      }
      return batch;
    } catch (SQLException | RuntimeException | InterruptedException e) {
      release(batch, Duration.ZERO); // not sent: the batch as topped up so far is claimable again at once
      throw e;
    }
  }

  /** Sends {@code batch} until every lead in it has an outcome (or the drainer stops). */
  private void send(List<Claimed> batch) throws SQLException, InterruptedException {
    long leasedAt = System.nanoTime();
    List<OutboundRecord> records = new ArrayList<>(batch.size());
    for (Claimed l : batch) records.add(new OutboundRecord("email", l.email(), properties(l), Long.toString(l.id())));
    while (true) {
      WriteResult result;
      try {
        owner.requests.incrementAndGet();
        long t0 = System.nanoTime();
        try {
          result = connector.uploadBatch(settings.objectType(), records, null);
        } finally {
          owner.phases.call(System.nanoTime() - t0);
        }
      } catch (ConnectorException e) {
        switch (e.kind()) {
          case RATE_LIMITED -> {
            if (e.httpStatus() == 0) owner.requests.decrementAndGet(); // a spent local bucket sent nothing
            owner.rateLimitWaits.incrementAndGet();
            Duration wait = e.retryAfter();
            if (wait.compareTo(settings.maxRateLimitHold()) > 0) {
              retryLater(batch, false, e.getMessage(), wait);
              return;
            }
            if (stopping) return; // the lease runs out; another drainer takes the batch
            Thread.sleep(Math.max(1, wait.toMillis()));
            if (System.nanoTime() - leasedAt > settings.lease().toNanos() / 2) { // still ours after many waits
              Set<Long> held;
              try (Connection c = dataSource.getConnection()) {
                held = store.extendLease(c, batch.stream().map(Claimed::id).toList(), batch.get(0).token(),
                    clock.instant().plus(settings.lease()));
              }
              leasedAt = System.nanoTime();
              if (held.size() < batch.size()) {
                // the lease ran out and another drainer claimed these: theirs to send now
                log.warn("lead drain of {}: {} of {} leads were claimed by another drainer during a rate-limit wait; dropped",
                    connection, batch.size() - held.size(), batch.size());
                batch.removeIf(l -> !held.contains(l.id()));
                records.removeIf(r -> !held.contains(Long.parseLong(r.traceId())));
                if (batch.isEmpty()) return;
              }
            }
            continue;
          }
          case PERMANENT_BATCH -> {
            if (batch.size() > 1) {
              int half = batch.size() / 2;
              send(new ArrayList<>(batch.subList(0, half)));
              send(new ArrayList<>(batch.subList(half, batch.size())));
            } else {
              reject(batch, List.of(e.getMessage()));
            }
            return;
          }
          default -> {
            owner.failedSends.incrementAndGet();
            int attempts = batch.stream().mapToInt(Claimed::attempts).max().orElse(0);
            retryLater(batch, true, e.getMessage(), backoff(attempts));
            if (e.kind() == ConnectorException.Kind.AUTH) log.error("lead drain of {}: {}", connection, e.getMessage());
            return;
          }
        }
      }
      long t0 = System.nanoTime();
      record(batch, result);
      owner.phases.record(System.nanoTime() - t0, batch.size());
      return;
    }
  }

  /**
   * Records what the CRM answered for {@code batch}. The CRM has the leads already, so a failed
   * outcome commit (a deadlock, a dropped connection) is tried again, {@link #OUTCOME_TRIES} times in
   * all; if it still fails the batch is released after one retry pause rather than left leased for
   * the rest of its lease: sent again, it updates the same CRM records (upsert by email).
   */
  private void record(List<Claimed> batch, WriteResult result) throws SQLException, InterruptedException {
    Map<String, Claimed> byTrace = new LinkedHashMap<>();
    for (Claimed l : batch) byTrace.put(Long.toString(l.id()), l);
    List<LeadStore.Outcome> outcomes = new ArrayList<>(batch.size());
    int sent = 0;
    int rejected = 0;
    for (WriteResult.RecordResult r : result.results()) {
      Claimed l = byTrace.get(r.traceId());
      if (l == null) continue;
      if (r.ok()) {
        outcomes.add(new LeadStore.Outcome(l, LeadState.SENT, r.externalId(), null));
        sent++;
      } else if (r.errorKind() == ConnectorException.Kind.PERMANENT_RECORD) {
        outcomes.add(new LeadStore.Outcome(l, LeadState.REJECTED, null, r.error()));
        rejected++;
      } else {
        outcomes.add(new LeadStore.Outcome(l, LeadState.RETRYING, null, r.error()));
      }
    }
    for (int attempt = 1; ; attempt++) {
      Instant now = clock.instant();
      try (Connection c = dataSource.getConnection()) {
        store.recordOutcomes(c, outcomes, true, now, now.plus(backoff(0)));
        break;
      } catch (SQLException e) {
        if (attempt < OUTCOME_TRIES) {
          log.warn("lead drain of {}: recording the outcome of {} leads failed (try {} of {}): {}", connection, batch.size(),
              attempt, OUTCOME_TRIES, e.toString());
          Thread.sleep(50L * attempt);
          continue;
        }
        log.warn("lead drain of {}: recording the outcome of {} leads failed {} times, releasing them to be sent again: {}",
            connection, batch.size(), OUTCOME_TRIES, e.toString());
        // after a pause: an outcome that the database refuses every time must not resend the batch in a loop
        release(batch, backoff(0));
        return;
      }
    }
    owner.sent.addAndGet(sent);
    owner.rejected.addAndGet(rejected);
  }

  /** Hands {@code batch} back to be claimed after {@code after}; if that fails too, its lease runs out instead. */
  private void release(List<Claimed> batch, Duration after) {
    Instant now = clock.instant();
    try (Connection c = dataSource.getConnection()) {
      store.release(c, batch.stream().map(Claimed::id).toList(), batch.get(0).token(), now, now.plus(after));
      owner.released.addAndGet(batch.size());
    } catch (SQLException e) {
      log.warn("lead drain of {}: releasing {} leads failed, they wait for their lease to run out ({}): {}", connection,
          batch.size(), settings.lease(), e.toString());
    }
  }

  private void reject(List<Claimed> leads, List<String> reason) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      store.markRejected(c, leads, reason, clock.instant());
    }
    owner.rejected.addAndGet(leads.size());
  }

  private void retryLater(List<Claimed> batch, boolean attemptSpent, String reason, Duration wait) throws SQLException {
    Instant now = clock.instant();
    try (Connection c = dataSource.getConnection()) {
      store.markRetrying(c, batch, attemptSpent, reason, now, now.plus(wait));
    }
  }

  /** Exponential from the base, capped, with ±20% jitter so retried batches do not arrive together. */
  Duration backoff(int attemptsSoFar) {
    long base = settings.retryBase().toMillis();
    long max = settings.retryMax().toMillis();
    long ms = attemptsSoFar >= 30 ? max : Math.min(max, base << Math.min(attemptsSoFar, 30));
    double jitter = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
    return Duration.ofMillis(Math.max(1, (long) (ms * jitter)));
  }

  /** The lead's fields as CRM properties, through its source's mapping; email always included. */
  private Map<String, String> properties(Claimed l) {
    LeadSource source = sources.get(l.source());
    Map<String, String> mapping = source == null ? Map.of() : source.mapping();
    Map<String, String> out = new LinkedHashMap<>();
    out.put("email", l.email());
    l.fields().forEach((field, value) -> {
      String property = mapping.getOrDefault(field, field);
      if (property != null && !property.isBlank()) out.put(property, value);
    });
    return out;
  }
}
