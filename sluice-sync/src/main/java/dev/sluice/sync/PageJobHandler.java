package dev.sluice.sync;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.Page;
import dev.sluice.connectors.SourceConnector;
import dev.sluice.connectors.StreamRequest;
import dev.sluice.connectors.SyncMode;
import dev.sluice.queue.JobContext;
import dev.sluice.queue.JobHandler;
import dev.sluice.queue.JobSnooze;
import dev.sluice.queue.PermanentJobFailure;
import dev.sluice.queue.schema.TableStatistics;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Optional;
import java.util.function.Function;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one page of one stream and commits it: the page's records, the stream's next checkpoint, the
 * page event and the next page job (or the stream's end) in one transaction. Idempotent: a repeated
 * job for a page already committed does nothing, so a killed worker repeats at most the page in flight.
 */
final class PageJobHandler implements JobHandler {
  private static final Logger log = LoggerFactory.getLogger(PageJobHandler.class);
  /** Wait used when a rate-limited connector gives no hint. */
  static final Duration DEFAULT_SNOOZE = Duration.ofSeconds(1);
  /** The {@code cause} of a snooze that waits for the source's search index (absent: the rate limit). */
  static final String SEARCH_INDEX = "search-index";

  private final DataSource ds;
  private final SyncStore store;
  private final MirrorWriter mirror;
  private final InverseAssociations inverse;
  /** Commits retried after a deadlock with another stream's page (they lock each other's associated rows). */
  static final int COMMIT_ATTEMPTS = 4;
  private final Function<String, SourceConnector> connections;
  private final Clock clock;
  private final PageJobs pageJobs;
  /** The mirror's planner statistics, kept in step while a first sync grows it (per connection and object type). */
  private final TableStatistics mirrorStatistics;

  PageJobHandler(DataSource ds, SyncStore store, Function<String, SourceConnector> connections, Clock clock,
      PageJobs pageJobs) {
    this.ds = ds;
    this.store = store;
    this.mirror = new MirrorWriter(store);
    this.inverse = new InverseAssociations(store);
    this.connections = connections;
    this.clock = clock;
    this.pageJobs = pageJobs;
    this.mirrorStatistics = new TableStatistics(ds, store.sql.get("analyze_record"), "the mirror");
  }

  /** Enqueues page jobs inside the caller's transaction. */
  interface PageJobs {
    void enqueue(Connection c, PageJob job) throws SQLException;
  }

  /** Work done under the stream's lock when the job is still current. */
  private interface StreamWork {
    void run(RunTransaction t, StreamState locked) throws SQLException;
  }

  @Override
  public void handle(JobContext ctx) throws Exception {
    PageJob job;
    try {
      job = PageJob.from(ctx.payload());
    } catch (IllegalArgumentException e) {
      throw new PermanentJobFailure(e.getMessage());
    }
    try {
      handle(ctx, job);
    } catch (JobSnooze | PermanentJobFailure e) {
      throw e;
    } catch (Exception e) {
      if (ctx.job().attempt() < ctx.job().maxAttempts()) {
        throw e;
      }
      // The last attempt failed in a way the connector did not classify (a database error, a bug):
      // fail the stream now, or its run would stay active until the sweeper finds the dead job.
      String reason = NulBytes.replace(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()))
          + " at page " + (job.page() + 1) + "; gave up after " + ctx.job().attempt() + " attempts";
      try {
        failStream(job, reason);
      } catch (SQLException | RuntimeException f) {
        // the database itself is failing: the sweeper fails the stream once the job is dead
        e.addSuppressed(f);
        log.warn("run {} {} page {}: could not mark the stream failed: {}", job.run(), job.stream(), job.page(), f.getMessage());
      }
      throw new PermanentJobFailure(reason, e);
    }
  }

  private void handle(JobContext ctx, PageJob job) throws Exception {
    RunRow run;
    StreamState stream;
    try (Connection c = ds.getConnection()) {
      Optional<RunRow> r = store.run(c, job.run(), false);
      Optional<StreamState> s = store.stream(c, job.run(), job.stream(), false);
      if (r.isEmpty() || s.isEmpty()) {
        return; // the run was deleted
      }
      run = r.get();
      stream = s.get();
    }
    if (stale(stream, job)) {
      return;
    }
    SourceConnector connector;
    try {
      connector = connections.apply(run.connection());
    } catch (RuntimeException e) {
      connector = null;
    }
    if (connector == null) {
      String reason = "connection '" + run.connection() + "' is not configured in this process";
      failStream(job, reason);
      throw new PermanentJobFailure(reason);
    }
    if (stream.status() == StreamStatus.PENDING) {
      ObjectNode p = Json.object();
      p.put("incremental_since", stream.incrementalSince() == null ? null : stream.incrementalSince().toString());
      p.put("from_page", job.page());
      if (!inStream(job, (t, s) -> t.append(job.stream(), SyncEventType.STREAM_STARTED, p))) {
        return;
      }
    }
    Instant since = run.mode() == SyncMode.INCREMENTAL ? stream.incrementalSince() : null;
    // An incremental run holds every change made before it was created (the connector waits for its
    // change feed to settle past that instant, see SourceConnector#waitBeforeReading).
    Instant runStart = run.mode() == SyncMode.INCREMENTAL ? run.createdAt() : null;
    StreamRequest request = new StreamRequest(job.stream(), run.mode(), stream.checkpoint(), since, runStart);
    Duration settle;
    try {
      settle = connector.waitBeforeReading(request);
    } catch (RuntimeException e) {
      String msg = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
      throw onFailure(ctx, job, stream, ConnectorException.Kind.RETRYABLE, NulBytes.replace(msg), null, e);
    }
    if (settle.isPositive()) {
      throw waitForIndex(job, settle);
    }
    Page page;
    Instant asked = clock.instant();
    try {
      page = connector.fetchRecords(request);
    } catch (ConnectorException e) {
      throw onFailure(ctx, job, stream, e.kind(), NulBytes.replace(e.getMessage()), e.retryAfter(), e);
    } catch (RuntimeException e) {
      // a connector bug or an unclassified I/O problem: treat as transient, the attempt limit bounds it
      String msg = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
      throw onFailure(ctx, job, stream, ConnectorException.Kind.RETRYABLE, NulBytes.replace(msg), null, e);
    }
    for (int attempt = 1; ; attempt++) {
      try {
        Instant readAt = page.readAt() != null ? page.readAt() : asked;
        mirrorStatistics.written(run.connection() + '\u0000' + job.stream(), commit(job, run, page, readAt));
        return;
      } catch (SQLException e) {
        boolean conflict = "40P01".equals(e.getSQLState()) || "40001".equals(e.getSQLState());
        if (!conflict || attempt >= COMMIT_ATTEMPTS) {
          throw e;
        }
        log.debug("run {} {} page {}: commit conflict, trying again: {}", job.run(), job.stream(), job.page(), e.getMessage());
      }
    }
  }

  private static boolean stale(StreamState s, PageJob job) {
    return s.status().terminal() || s.generation() != job.generation() || s.pagesCommitted() != job.page();
  }

  /** Runs {@code work} in one transaction if the job is still current; false when it is stale. */
  private boolean inStream(PageJob job, StreamWork work) throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try {
        Optional<RunTransaction> run = RunTransaction.lock(c, store, job.run(), clock.instant());
        Optional<StreamState> s = run.isEmpty() ? Optional.empty() : run.get().lockStream(job.stream());
        if (s.isEmpty() || stale(s.get(), job)) {
          c.rollback();
          return false;
        }
        RunTransaction t = run.get();
        work.run(t, s.get());
        t.finish();
        c.commit();
        return true;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  private Exception onFailure(JobContext ctx, PageJob job, StreamState stream, ConnectorException.Kind kind,
      String message, Duration retryAfter, Exception cause) throws SQLException {
    String where = "page " + (job.page() + 1) + (stream.position() == null ? " (from the start)" : " (after " + stream.position() + ")");
    switch (kind) {
      case RATE_LIMITED -> {
        Duration wait = retryAfter == null || retryAfter.isNegative() ? DEFAULT_SNOOZE : retryAfter;
        ObjectNode p = Json.object().put("wait_ms", wait.toMillis()).put("reason", message).put("page", job.page());
        inStream(job, (t, s) -> t.append(job.stream(), SyncEventType.SNOOZE, p));
        return new JobSnooze(wait);
      }
      case AUTH -> {
        failRun(job, message);
        return new PermanentJobFailure(message);
      }
      case PERMANENT_BATCH, PERMANENT_RECORD -> {
        String reason = message + " at " + where;
        failStream(job, reason);
        return new PermanentJobFailure(reason);
      }
      default -> {
        int attempt = ctx.job().attempt();
        int max = ctx.job().maxAttempts();
        if (attempt >= max) {
          String reason = message + " at " + where + "; gave up after " + attempt + " attempts";
          failStream(job, reason);
          return new PermanentJobFailure(reason);
        }
        ObjectNode p = Json.object().put("attempt", attempt).put("max_attempts", max).put("reason", message)
            .put("kind", kind.name().toLowerCase(java.util.Locale.ROOT)).put("page", job.page());
        inStream(job, (t, s) -> t.append(job.stream(), SyncEventType.RETRY, p));
        return cause;
      }
    }
  }

  /**
   * Snoozes the page job until the source's search index has settled: no thread held, no attempt
   * spent; the run's phase says what it waits for.
   */
  private JobSnooze waitForIndex(PageJob job, Duration wait) throws SQLException {
    ObjectNode p = Json.object().put("wait_ms", wait.toMillis()).put("reason", "waiting for the search index")
        .put("cause", SEARCH_INDEX).put("page", job.page());
    inStream(job, (t, s) -> t.append(job.stream(), SyncEventType.SNOOZE, p));
    return new JobSnooze(wait);
  }

  private void failStream(PageJob job, String reason) throws SQLException {
    ObjectNode p = Json.object().put("reason", reason).put("page", job.page());
    inStream(job, (t, s) -> {
      p.put("position", s.position());
      t.append(job.stream(), SyncEventType.STREAM_FAILED, p);
    });
  }

  /** Refused credentials fail every unfinished stream of the run at once: the other pages would fail the same way. */
  private void failRun(PageJob job, String reason) throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try {
        Optional<RunTransaction> run = RunTransaction.lock(c, store, job.run(), clock.instant());
        if (run.isEmpty()) {
          c.rollback();
          return;
        }
        RunTransaction t = run.get();
        List<StreamState> streams = t.lockStreams();
        for (StreamState s : streams) {
          if (!s.status().terminal()) {
            t.append(s.objectType(), SyncEventType.STREAM_FAILED,
                Json.object().put("reason", reason).put("page", s.pagesCommitted()).put("position", s.position()));
          }
        }
        t.finish();
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /** Commits the page; returns how many mirror rows it created (0 when the job was stale). */
  private long commit(PageJob job, RunRow run, Page page, Instant readAt) throws SQLException {
    Instant now = clock.instant();
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try {
        // the run first: see RunTransaction for the lock order
        Optional<RunTransaction> locking = RunTransaction.lock(c, store, job.run(), now);
        Optional<StreamState> locked = locking.isEmpty() ? Optional.empty() : locking.get().lockStream(job.stream());
        if (locked.isEmpty() || stale(locked.get(), job)) {
          // another worker committed this page meanwhile (a rescued job), or the run was cancelled
          c.rollback();
          return 0;
        }
        RunTransaction t = locking.get();
        MirrorWriter.Result result = mirror.upsert(c, run.connection(), job.stream(), job.run(), page.records(), now, readAt);
        StreamCounts k = result.counts();
        ObjectNode p = Json.object()
            .put("page", job.page())
            .put("fetched", k.fetched()).put("created", k.created()).put("updated", k.updated())
            .put("unchanged", k.unchanged()).put("archived", k.archived()).put("failed", k.failed())
            .put("requests", page.requestsUsed())
            .put("position", page.position())
            .put("checkpoint", page.nextCheckpoint())
            .put("done", page.streamDone());
        long seq = t.append(job.stream(), SyncEventType.PAGE_COMMITTED, p);
        writeChanges(c, run.connection(), job.stream(), job, seq, result.changes(), now);
        List<InverseAssociations.Touched> touched =
            inverse.apply(c, run.connection(), job.stream(), job.run(), result.changes(), now, readAt);
        Map<String, List<MirrorWriter.Change>> inverseChanges = new TreeMap<>();
        for (InverseAssociations.Touched other : touched) {
          inverseChanges.computeIfAbsent(other.objectType(), type -> new ArrayList<>())
              .add(new MirrorWriter.Change(other.externalId(), "updated", List.of("associations"), Map.of(), Map.of()));
        }
        for (Map.Entry<String, List<MirrorWriter.Change>> e : inverseChanges.entrySet()) {
          writeChanges(c, run.connection(), e.getKey(), job, seq, e.getValue(), now);
        }
        if (page.streamDone()) {
          t.append(job.stream(), SyncEventType.STREAM_FINISHED, Json.object().put("pages", job.page() + 1));
        } else {
          pageJobs.enqueue(c, job.next());
        }
        t.finish();
        // the page's last lock: the totals row is shared with other runs of this connection and object
        store.addTotals(c, run.connection(), job.stream(), k, page.requestsUsed());
        c.commit();
        return k.created();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  private void writeChanges(Connection c, String connection, String objectType, PageJob job, long seq,
      List<MirrorWriter.Change> changes, Instant now) throws SQLException {
    mirror.recordChanges(c, connection, objectType, job.run(), seq, job.page(), changes, now);
    log.debug("run {} {} page {}: {} records changed", job.run(), job.stream(), job.page(), changes.size());
  }

}
