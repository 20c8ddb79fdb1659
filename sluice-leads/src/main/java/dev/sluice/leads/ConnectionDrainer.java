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
        send(batch);
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
    Instant now = clock.instant();
    try (Connection c = dataSource.getConnection()) {
      List<Claimed> claimed = store.claim(c, connection, connector.maxBatchSize(), now, now.plus(settings.lease()));
      // One CRM record per email: a second lead with the same address (another source) waits for
      // the next batch, so a batch never upserts one email twice.
      Set<String> emails = new HashSet<>();
      List<Claimed> batch = new ArrayList<>(claimed.size());
      List<Long> later = new ArrayList<>();
      for (Claimed l : claimed) {
        if (emails.add(l.email())) batch.add(l);
        else later.add(l.id());
      }
      if (!later.isEmpty()) store.release(c, later, claimed.get(0).token(), now);
      return batch;
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

  private void record(List<Claimed> batch, WriteResult result) throws SQLException {
    Map<String, Claimed> byTrace = new LinkedHashMap<>();
    for (Claimed l : batch) byTrace.put(Long.toString(l.id()), l);
    List<Claimed> sent = new ArrayList<>();
    List<String> crmIds = new ArrayList<>();
    List<Claimed> rejected = new ArrayList<>();
    List<String> reasons = new ArrayList<>();
    List<Long> retry = new ArrayList<>();
    String retryReason = null;
    for (WriteResult.RecordResult r : result.results()) {
      Claimed l = byTrace.get(r.traceId());
      if (l == null) continue;
      if (r.ok()) {
        sent.add(l);
        crmIds.add(r.externalId());
      } else if (r.errorKind() == ConnectorException.Kind.PERMANENT_RECORD) {
        rejected.add(l);
        reasons.add(r.error());
      } else {
        retry.add(l.id());
        retryReason = r.error();
      }
    }
    Instant now = clock.instant();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        LeadStore.commitWithoutFlush(c);
        store.markSent(c, sent, crmIds, now);
        store.markRejected(c, rejected, reasons, now);
        store.markRetrying(c, retry, batch.get(0).token(), true, retryReason, now, now.plus(backoff(0)));
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }
    owner.sent.addAndGet(sent.size());
    owner.rejected.addAndGet(rejected.size());
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
      store.markRetrying(c, batch.stream().map(Claimed::id).toList(), batch.get(0).token(), attemptSpent, reason, now, now.plus(wait));
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
