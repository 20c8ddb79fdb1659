package dev.sluice.pipelines;

import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.DestinationConnector;
import dev.sluice.connectors.FieldMappingException;
import dev.sluice.connectors.ObjectSchema;
import dev.sluice.connectors.OutboundRecord;
import dev.sluice.connectors.WriteResult;
import dev.sluice.queue.JobContext;
import dev.sluice.queue.JobHandler;
import dev.sluice.queue.JobSnooze;
import dev.sluice.queue.PermanentJobFailure;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.BiConsumer;
import java.util.function.Function;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a pipeline run's batches, a stream of them per job: selects the next source records that
 * changed since their last push (up to {@link PipelineEngine#CALLS_PER_BATCH} times the
 * destination's batch size), plans them together ({@link BatchPlanner}), writes what is to be sent
 * in calls of the destination's batch size made at once ({@link ParallelCalls}), each under the
 * destination connection's shared limits, then commits in one transaction per batch (or per few
 * batches ready together) the run's new position and counts, every record's result and push
 * state, what was written, the identity links and the batch event. While one batch's calls are in
 * flight the next batches are selected and planned and the earlier ones commit ({@code
 * BatchStream}). A worker killed before a commit (or a call failing with a retryable error)
 * repeats the uncommitted batches, all of their calls: the destination upserts on the match field,
 * so a repeated write creates nothing twice. After {@link #JOB_SPAN} a job hands the run on to a
 * new job (the run row names it: {@code job_batch}), so a repeat of an older job does nothing.
 */
final class BatchJobHandler implements JobHandler {
  private static final Logger log = LoggerFactory.getLogger(BatchJobHandler.class);
  /** Wait when a rate-limited destination gives no hint. */
  static final Duration DEFAULT_SNOOZE = Duration.ofSeconds(1);
  /**
   * How long one job keeps starting new batches before it commits what it started and hands the run
   * on to a new job (well within the batch job's timeout).
   */
  static final Duration JOB_SPAN = Duration.ofSeconds(20);
  /** Most batches committed in one transaction (those whose calls answered while the previous commit ran). */
  static final int COMMIT_GROUP = 4;

  private final DataSource ds;
  private final PipelineStore store;
  private final Function<String, Pipeline> pipelines;
  private final Function<String, DestinationConnector> destinations;
  private final Clock clock;
  private final BatchJobs jobs;
  private final PipelineStatistics statistics;

  /** Enqueues batch jobs inside the caller's transaction. */
  interface BatchJobs {
    void enqueue(Connection c, BatchJob job, String pipeline) throws SQLException;
  }

  BatchJobHandler(DataSource ds, PipelineStore store, Function<String, Pipeline> pipelines,
      Function<String, DestinationConnector> destinations, Clock clock, BatchJobs jobs) {
    this.ds = ds;
    this.store = store;
    this.pipelines = pipelines;
    this.destinations = destinations;
    this.clock = clock;
    this.jobs = jobs;
    this.statistics = new PipelineStatistics(ds, store);
  }

  @Override
  public void handle(JobContext ctx) throws Exception {
    BatchJob job;
    try {
      job = BatchJob.from(ctx.payload());
    } catch (IllegalArgumentException e) {
      throw new PermanentJobFailure(e.getMessage());
    }
    try {
      handle(job, ctx.job().attempt() >= ctx.job().maxAttempts());
    } catch (JobSnooze | PermanentJobFailure e) {
      throw e;
    } catch (Exception e) {
      if (ctx.job().attempt() < ctx.job().maxAttempts()) {
        throw e;
      }
      String reason = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
          + " at batch " + (job.batch() + 1) + "; gave up after " + ctx.job().attempt() + " attempts";
      fail(job, reason);
      throw new PermanentJobFailure(reason, e);
    }
  }

  private void handle(BatchJob job, boolean lastAttempt) throws Exception {
    PipelineRun run;
    long owner;
    try (Connection c = ds.getConnection()) {
      Optional<PipelineRun> r = store.run(c, job.run());
      if (r.isEmpty()) return;
      run = r.get();
      owner = store.firstLong(c, "select_job_batch", "run", job.run()).orElse(-1L);
    }
    if (!run.status().active() || run.generation() != job.generation() || owner != job.batch()) {
      return; // cancelled, resumed under a new generation, or handed on to a later job already
    }
    Pipeline p = pipelines.apply(run.pipeline());
    if (p == null) {
      fail(job, "pipeline '" + run.pipeline() + "' is no longer configured");
      return;
    }
    DestinationConnector dest = destinations.apply(p.destinationConnection());
    int size = p.batchSize() > 0 ? Math.min(p.batchSize(), dest.maxBatchSize()) : dest.maxBatchSize();
    if (run.batchesCommitted() == 0) {
      String misfit = misfit(p, dest);
      if (misfit != null) {
        fail(job, misfit); // every record would fail the same way: stop before sending any
        return;
      }
      linkDestination(p); // a repeat of the first batch links nothing new
    }
    try (BatchStream stream = new BatchStream(job, p, dest, size, lastAttempt)) {
      stream.run(run.batchesCommitted(), run.position());
    }
  }

  /** A batch of the stream: its records, decisions and calls, and whether it committed. */
  private static final class Part {
    final long batch;
    final List<SourceRow> rows;
    final List<Decision> decisions;
    final BatchOutcome outcome;
    /** Identity keys whose links this batch's commit may change: its records' keys, new and last pushed. */
    final Set<String> touched = new HashSet<>();
    final List<List<Decision>> writeParts = new ArrayList<>();
    final List<ParallelCalls.Call<WriteResult>> writeCalls = new ArrayList<>();
    final Map<Decision, Map<String, String>> sent = new IdentityHashMap<>();
    final List<List<Decision>> deleteParts = new ArrayList<>();
    final List<ParallelCalls.Call<WriteResult>> deleteCalls = new ArrayList<>();
    /** The write answers, then the delete answers (null when the deletes were not made). */
    Future<List<List<ParallelCalls.Answer<WriteResult>>>> answers;
    /** Completes true once committed, false when the stream stopped before committing it. */
    final CompletableFuture<Boolean> committed = new CompletableFuture<>();

    Part(long batch, List<SourceRow> rows, List<Decision> decisions, Map<String, List<LinkedRecord>> links, String matchField) {
      this.batch = batch;
      this.rows = rows;
      this.decisions = decisions;
      this.outcome = new BatchOutcome(decisions, links);
      for (Decision d : decisions) {
        if (d.key() != null) touched.add(d.key());
        if (d.row().lastMapped() != null) {
          String before = Pipeline.normalizeKey(d.row().lastMapped().get(matchField));
          if (before != null && !before.isEmpty()) touched.add(before);
        }
      }
    }

    String position() {
      return rows.get(rows.size() - 1).externalId();
    }

    boolean touchesAny(List<String> keys) {
      for (String k : keys) {
        if (touched.contains(k)) return true;
      }
      return false;
    }
  }

  /**
   * One job's batches, as a pipeline: this thread selects, maps and plans batch after batch and
   * starts each one's calls at once; a committer thread settles each batch once its calls answered
   * and commits the batches in order (the ones ready together in one transaction). So the
   * destination's calls, the next batches' selects and the earlier batches' commits overlap, with
   * up to {@link DestinationConnector#maxCallsInFlight} calls in flight. A batch whose records share
   * an identity key with an uncommitted earlier batch reads its links only after that one committed,
   * so every batch is planned as if the earlier ones had committed first. After {@link #JOB_SPAN}
   * the job stops selecting, commits what it started and hands the run on to a new job; a failure
   * stops the stream after the batches before it committed, and the job's repeat goes on from there.
   */
  private final class BatchStream implements AutoCloseable {
    private static final Part END = new Part(-1, List.of(), List.of(), Map.of(), "");

    private final BatchJob job;
    private final Pipeline p;
    private final DestinationConnector dest;
    private final int size;
    private final boolean lastAttempt;
    private final BatchPlanner planner;
    private final ParallelCalls calls;
    private final int ahead;
    private final LinkedBlockingQueue<Part> toCommit = new LinkedBlockingQueue<>();
    /** Why the committer stopped (null: it did not, or stopped cleanly: cancelled, auth). */
    private volatile Throwable failure;
    private volatile boolean stopped;
    /** Nanoseconds per phase: select, map, links, plan, wait for room, wait for an earlier commit; wait for calls, commit. */
    private final long[] nanos = new long[8];
    private int commits;

    BatchStream(BatchJob job, Pipeline p, DestinationConnector dest, int size, boolean lastAttempt) {
      int inFlight = Math.max(1, dest.maxCallsInFlight());
      this.calls = new ParallelCalls(inFlight);
      this.job = job;
      this.p = p;
      this.planner = new BatchPlanner(p);
      this.dest = dest;
      this.size = size;
      this.lastAttempt = lastAttempt;
      // enough batches planned ahead to keep every place in flight busy while the oldest commits
      this.ahead = Math.max(2, (inFlight + PipelineEngine.CALLS_PER_BATCH - 1) / PipelineEngine.CALLS_PER_BATCH + 1);
    }

    void run(long firstBatch, String startPosition) throws Exception {
      Thread committer = Thread.ofPlatform().name("pipeline-commit-" + job.run()).daemon().start(this::commitLoop);
      long batch = firstBatch;
      String position = startPosition;
      boolean exhausted = false;
      Throwable plannerFailure = null;
      Deque<Part> open = new ArrayDeque<>();
      long deadline = System.nanoTime() + JOB_SPAN.toNanos();
      try {
        while (!stopped) {
          while (!open.isEmpty() && open.peekFirst().committed.isDone()) open.pollFirst();
          if (open.size() >= ahead) {
            long t = System.nanoTime();
            open.peekFirst().committed.get();
            nanos[4] += System.nanoTime() - t;
            continue;
          }
          if (System.nanoTime() - deadline > 0) break;
          List<SourceRow> rows;
          long t0 = System.nanoTime();
          try (Connection c = ds.getConnection()) {
            rows = store.changed(c, p, position, size * PipelineEngine.CALLS_PER_BATCH);
          }
          long t1 = System.nanoTime();
          nanos[0] += t1 - t0;
          if (rows.isEmpty()) {
            exhausted = true;
            break;
          }
          List<Mapping.Result> mapped = planner.map(rows);
          List<String> keys = planner.keys(mapped);
          long t2 = System.nanoTime();
          nanos[1] += t2 - t1;
          Part conflict = null;
          for (Part q : open) {
            if (!q.committed.isDone() && q.touchesAny(keys)) conflict = q;
          }
          if (conflict != null && !conflict.committed.get()) break; // its links first; the stream stopped before
          long t3 = System.nanoTime();
          nanos[5] += t3 - t2;
          Map<String, List<LinkedRecord>> links;
          try (Connection c = ds.getConnection()) {
            links = store.links(c, p, keys);
          }
          long t4 = System.nanoTime();
          nanos[2] += t4 - t3;
          Part part = new Part(batch, rows, planner.plan(rows, mapped, links), links, p.matchField());
          prepare(part);
          nanos[3] += System.nanoTime() - t4;
          start(part);
          open.add(part);
          toCommit.add(part);
          position = part.position();
          batch++;
        }
      } catch (Throwable t) {
        plannerFailure = t;
      }
      toCommit.add(END);
      try {
        committer.join();
      } catch (InterruptedException e) {
        stopped = true;
        calls.close();
        committer.join();
        throw e;
      }
      if (log.isDebugEnabled()) {
        log.debug("pipeline {} run {} job {}: batches {} to {} in {} transactions; planner ms: select {}, map {}, links {},"
            + " plan {}, waiting for room {}, for an earlier batch's commit {}; committer ms: waiting for calls {}, committing {}",
            p.name(), job.run(), job.batch(), firstBatch + 1, batch, commits, ms(0), ms(1), ms(2), ms(3), ms(4), ms(5), ms(6), ms(7));
      }
      if (failure != null) throwUnchecked(failure);
      if (plannerFailure != null) throwUnchecked(plannerFailure);
      if (stopped) return; // cancelled, or the run failed (auth)
      if (exhausted) {
        finish(new BatchJob(job.run(), batch, job.generation()));
      } else {
        handOn(job, batch, p.name());
      }
    }

    /** The schema check of each record to send and the calls of the batch (writes, then deletes). */
    private void prepare(Part part) throws ConnectorException {
      List<Decision> sends = part.decisions.stream().filter(d -> d.kind() == Decision.Kind.SEND).toList();
      if (!sends.isEmpty()) {
        prepareWrites(part, sends);
      }
      List<Decision> deletes = part.decisions.stream().filter(d -> d.kind() == Decision.Kind.DELETE).toList();
      for (int from = 0; from < deletes.size(); from += size) {
        List<Decision> slice = deletes.subList(from, Math.min(deletes.size(), from + size));
        part.deleteParts.add(slice);
        part.deleteCalls.add(() -> dest.deleteBatch(p.destinationObject(), slice.stream().map(Decision::destinationId).toList()));
      }
    }

    private void prepareWrites(Part part, List<Decision> sends) throws ConnectorException {
      ObjectSchema schema;
      try {
        schema = dest.describe(p.destinationObject());
      } catch (ConnectorException e) {
        batchFailed(e, p, sends, part.outcome, lastAttempt);
        return;
      }
      List<Decision> checked = new ArrayList<>(sends.size());
      List<OutboundRecord> records = new ArrayList<>(sends.size());
      for (Decision d : sends) {
        try {
          // a record that does not fit the destination's schema is reported whole and never sent half
          Map<String, String> values = schema.check(d.send(), d.destinationId() == null);
          records.add(new OutboundRecord(p.matchField(), d.mapped().get(p.matchField()), values, d.row().externalId()));
          checked.add(d);
          part.sent.put(d, values);
        } catch (FieldMappingException e) {
          part.outcome.mappingFailed(d, e.getMessage());
        }
      }
      for (int from = 0; from < records.size(); from += size) {
        int to = Math.min(records.size(), from + size);
        List<OutboundRecord> slice = records.subList(from, to);
        // stable across retries of this batch; the first call keeps the key a one-call batch always had
        String idempotencyKey = "pipeline:" + job.run() + ":" + part.batch + ":g" + job.generation() + (from == 0 ? "" : ":" + from / size);
        part.writeParts.add(checked.subList(from, to));
        part.writeCalls.add(() -> dest.uploadBatch(p.destinationObject(), slice, idempotencyKey));
      }
    }

    /** Makes the batch's write calls at once, then its deletes unless a write failed in a way that stops the batch. */
    private void start(Part part) {
      part.answers = calls.submit(() -> {
        List<ParallelCalls.Answer<WriteResult>> writes = calls.run(part.writeCalls);
        List<ParallelCalls.Answer<WriteResult>> deletes = null;
        if (!part.deleteCalls.isEmpty() && writes.stream().noneMatch(a -> a.failure() != null && stopsBatch(a.failure()))) {
          deletes = calls.run(part.deleteCalls);
        }
        List<List<ParallelCalls.Answer<WriteResult>>> out = new ArrayList<>();
        out.add(writes);
        out.add(deletes);
        return out;
      });
    }

    /** A whole call's failure that ends the batch (snooze, retry, or the run failing) rather than failing its records. */
    private boolean stopsBatch(ConnectorException e) {
      return switch (e.kind()) {
        case RATE_LIMITED, AUTH -> true;
        case PERMANENT_BATCH, PERMANENT_RECORD -> false;
        default -> !lastAttempt;
      };
    }

    /** The committer: settles and commits the batches in order until the end or the first failure. */
    private void commitLoop() {
      try {
        while (true) {
          Part head = toCommit.take();
          if (head == END) return;
          List<Part> group = new ArrayList<>();
          Throwable late = null;
          try {
            settle(head);
            group.add(head);
            while (group.size() < COMMIT_GROUP && late == null) {
              Part next = toCommit.peek();
              if (next == null || next == END || !next.answers.isDone()) break;
              toCommit.poll();
              try {
                settle(next);
                group.add(next);
              } catch (Throwable t) {
                late = t;
                next.committed.complete(false);
              }
            }
          } catch (Throwable t) {
            head.committed.complete(false);
            throw t;
          }
          String authFailure = group.stream().map(g -> g.outcome.authFailure).filter(a -> a != null).findFirst().orElse(null);
          if (authFailure != null) {
            // the batches before the one the destination refused commit; the run fails there
            List<Part> before = new ArrayList<>();
            for (Part g : group) {
              if (g.outcome.authFailure != null) break;
              before.add(g);
            }
            boolean moved = before.isEmpty() || commit(before);
            group.forEach(g -> g.committed.complete(before.contains(g) && moved));
            fail(job, authFailure);
            stopped = true;
            return;
          }
          long tc = System.nanoTime();
          boolean moved = commit(group);
          nanos[7] += System.nanoTime() - tc;
          commits++;
          group.forEach(g -> g.committed.complete(moved));
          if (!moved) {
            stopped = true; // cancelled, or another worker committed these batches
            return;
          }
          if (late != null) throw late;
        }
      } catch (Throwable t) {
        failure = t;
        stopped = true;
      } finally {
        for (Part left : toCommit) left.committed.complete(false);
        toCommit.clear();
        if (stopped) calls.close(); // the calls of batches that will not commit are not waited for
      }
    }

    /** Waits for the batch's answers and records each record's result (or throws what stops the batch). */
    private void settle(Part part) throws Exception {
      List<List<ParallelCalls.Answer<WriteResult>>> answers;
      try {
        long t = System.nanoTime();
        answers = part.answers.get();
        nanos[6] += System.nanoTime() - t;
      } catch (ExecutionException e) {
        throw e.getCause() instanceof Exception x ? x : new IllegalStateException(e.getCause());
      }
      BatchOutcome outcome = part.outcome;
      outcome.writeCalls += part.writeCalls.size();
      settle(answers.get(0), part.writeParts, outcome, (d, r) -> outcome.synced(d, r.externalId(), part.sent.get(d)));
      if (answers.get(1) != null && outcome.authFailure == null) {
        outcome.writeCalls += part.deleteCalls.size();
        settle(answers.get(1), part.deleteParts, outcome, (d, r) -> outcome.deleted(d));
      }
    }

    /**
     * Records each record's result of the calls, in order: {@code ok} for a record the destination
     * took, a failure otherwise; a whole call that failed goes to {@link #batchFailed}.
     */
    private void settle(List<ParallelCalls.Answer<WriteResult>> answers, List<List<Decision>> parts, BatchOutcome outcome,
        BiConsumer<Decision, WriteResult.RecordResult> ok) throws ConnectorException {
      for (int c = 0; c < answers.size(); c++) {
        List<Decision> part = parts.get(c);
        if (answers.get(c).failure() != null) {
          batchFailed(answers.get(c).failure(), p, part, outcome, lastAttempt);
          continue;
        }
        WriteResult result = answers.get(c).value();
        for (int i = 0; i < part.size(); i++) {
          WriteResult.RecordResult r = result.results().get(i);
          if (r.ok()) {
            ok.accept(part.get(i), r);
          } else {
            outcome.failed(part.get(i), r.error(), r.errorKind() != ConnectorException.Kind.RETRYABLE);
          }
        }
      }
    }

    /** Commits the batches in one transaction; false (nothing committed) when the run moved on without them. */
    private boolean commit(List<Part> group) throws SQLException {
      var now = clock.instant();
      Map<String, Long> written = new HashMap<>();
      boolean committed = Transactions.inTransaction(ds, c -> {
        written.clear();
        for (Part part : group) {
          BatchOutcome o = part.outcome;
          String position = part.position();
          int moved = store.update(c, "commit_batch", "run", job.run(), "generation", job.generation(), "batch", part.batch,
              "position", position, "selected", (long) o.size(), "synced", o.count("synced"), "failed", o.count("failed"),
              "skipped", o.count("skipped"), "write_calls", o.writeCalls, "now", now);
          if (moved == 0) {
            c.rollback(); // cancelled, or another worker committed this batch
            return false;
          }
          o.store(c, store, p, new BatchJob(job.run(), part.batch, job.generation()), now, written);
          store.event(c, job.run(), "batch-committed", Map.of("batch", part.batch + 1, "selected", o.size(),
              "synced", o.count("synced"), "failed", o.count("failed"), "skipped", o.count("skipped"),
              "write_calls", o.writeCalls, "position", position), now);
        }
        return true;
      });
      if (committed) statistics.committed(written);
      return committed;
    }

    private long ms(int phase) {
      return nanos[phase] / 1_000_000;
    }

    @Override
    public void close() {
      calls.close();
    }
  }

  private static void throwUnchecked(Throwable t) throws Exception {
    if (t instanceof Exception e) throw e;
    if (t instanceof Error e) throw e;
    throw new IllegalStateException(t);
  }

  /**
   * Why the mapping cannot write to the destination as it describes itself now (an unknown or
   * read-only field, a match field it cannot upsert by, a field it requires left out), with file,
   * line and field; null when it fits. Checked once a run, before its first batch.
   */
  static String misfit(Pipeline p, DestinationConnector dest) throws ConnectorException {
    String name = p.destinationConnection() + "/" + p.destinationObject();
    ObjectSchema schema = dest.describe(p.destinationObject());
    List<MappingError> errors = MappingCheck.check(p.mapping(), null, null, null, name, schema, p.matchField());
    List<String> all = new ArrayList<>(errors.stream().map(e -> e.at(p.mapping().origin())).toList());
    for (String field : p.unsubscribes().set().keySet()) {
      if (!schema.openEnded() && schema.field(field).isEmpty()) {
        all.add("pipelines." + p.name() + ".unsubscribes.set: " + name + " has no field '" + field + "'");
      }
    }
    if (all.isEmpty()) return null;
    return "the mapping does not fit " + name + ": " + String.join("; ", all);
  }

  /** A whole upload or delete failed: snooze on a rate limit, fail the run on auth, else retry or report each record. */
  private static void batchFailed(ConnectorException e, Pipeline p, List<Decision> ds, BatchOutcome outcome, boolean lastAttempt)
      throws ConnectorException {
    switch (e.kind()) {
      case RATE_LIMITED -> throw new JobSnooze(e.retryAfter() == null ? DEFAULT_SNOOZE : e.retryAfter());
      case AUTH -> outcome.authFailure = "destination " + p.destinationConnection() + ": " + e.getMessage();
      case PERMANENT_BATCH, PERMANENT_RECORD -> ds.stream().filter(d -> !outcome.decided(d))
          .forEach(d -> outcome.failed(d, e.getMessage(), true));
      default -> {
        if (!lastAttempt) throw e;
        // out of attempts: these records are pushed again by the next run
        ds.stream().filter(d -> !outcome.decided(d)).forEach(d -> outcome.failed(d, e.getMessage(), false));
      }
    }
  }

  /**
   * Links the destination records the mirror holds (when the destination is synced too) to the
   * entities of their match keys, before the run's first batch plans anything.
   */
  private void linkDestination(Pipeline p) throws SQLException {
    var now = clock.instant();
    int linked = Transactions.inTransaction(ds, c -> store.update(c, "link_destination", "field", p.matchField(),
        "connection", p.destinationConnection(), "object_type", p.destinationObject(), "now", now));
    if (linked > 0) {
      log.debug("pipeline {}: {} {}/{} records linked by {}", p.name(), linked, p.destinationConnection(),
          p.destinationObject(), p.matchField());
      statistics.committed(Map.of(PipelineStatistics.destinationLinks(p), (long) linked, PipelineStatistics.ENTITIES, (long) linked));
    }
  }

  /**
   * Hands the run on from this job to a new job for batch {@code next} (the run's next batch), in one
   * transaction; nothing when the run is no longer this job's (cancelled, resumed, handed on).
   */
  private void handOn(BatchJob job, long next, String pipeline) throws SQLException {
    inTransaction(c -> {
      if (store.update(c, "hand_on_run", "run", job.run(), "generation", job.generation(), "batch", job.batch(), "next", next) > 0) {
        jobs.enqueue(c, new BatchJob(job.run(), next, job.generation()), pipeline);
      }
    });
  }

  private void finish(BatchJob job) throws SQLException {
    var now = clock.instant();
    inTransaction(c -> {
      int n = store.update(c, "finish_run", "run", job.run(), "generation", job.generation(), "batch", job.batch(), "now", now);
      if (n == 0) {
        return;
      }
      PipelineRun r = store.run(c, job.run()).orElseThrow();
      store.event(c, job.run(), "run-finished", Map.of("status", r.status().wire(), "selected", r.selected(),
          "synced", r.synced(), "failed", r.failed(), "skipped", r.skipped(), "write_calls", r.writeCalls()), now);
      log.info("pipeline run {} ({}) {}: {} synced, {} failed, {} skipped", job.run(),
          r.pipeline(), r.status().wire(), r.synced(), r.failed(), r.skipped());
    });
  }

  private void fail(BatchJob job, String reason) throws SQLException {
    var now = clock.instant();
    inTransaction(c -> {
      if (store.update(c, "fail_run", "run", job.run(), "generation", job.generation(), "error", reason, "now", now) > 0) {
        store.event(c, job.run(), "run-failed", Map.of("error", reason), now);
      }
    });
  }

  private void inTransaction(Work work) throws SQLException {
    Transactions.inTransaction(ds, c -> {
      work.run(c);
      return null;
    });
  }

  private interface Work {
    void run(Connection c) throws SQLException;
  }
}
