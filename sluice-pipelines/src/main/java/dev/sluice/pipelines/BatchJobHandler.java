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
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one batch of a pipeline run: selects the next source records that changed since their last
 * push (up to {@link PipelineEngine#CALLS_PER_BATCH} times the destination's batch size), plans them
 * together ({@link BatchPlanner}), writes what is to be sent in calls of the destination's batch
 * size made at once ({@link ParallelCalls}), each under the destination connection's shared limits,
 * then commits in one transaction the run's new position
 * and counts, every record's result and push state, what was written, the identity links, the
 * batch event and the next batch job. A worker killed before the commit (or a call failing
 * with a retryable error) repeats the batch, all of its calls: the destination upserts on the match field, so a repeated write creates nothing twice.
 */
final class BatchJobHandler implements JobHandler {
  private static final Logger log = LoggerFactory.getLogger(BatchJobHandler.class);
  /** Wait when a rate-limited destination gives no hint. */
  static final Duration DEFAULT_SNOOZE = Duration.ofSeconds(1);

  private final DataSource ds;
  private final PipelineStore store;
  private final Function<String, Pipeline> pipelines;
  private final Function<String, DestinationConnector> destinations;
  private final Clock clock;
  private final BatchJobs jobs;

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
    try (Connection c = ds.getConnection()) {
      Optional<PipelineRun> r = store.run(c, job.run());
      if (r.isEmpty()) return;
      run = r.get();
    }
    if (!run.status().active() || run.generation() != job.generation() || run.batchesCommitted() != job.batch()) {
      return; // cancelled, resumed under a new generation, or this batch is already committed
    }
    Pipeline p = pipelines.apply(run.pipeline());
    if (p == null) {
      fail(job, "pipeline '" + run.pipeline() + "' is no longer configured");
      return;
    }
    DestinationConnector dest = destinations.apply(p.destinationConnection());
    int size = p.batchSize() > 0 ? Math.min(p.batchSize(), dest.maxBatchSize()) : dest.maxBatchSize();
    BatchPlanner planner = new BatchPlanner(p);
    List<SourceRow> rows;
    List<Mapping.Result> mapped;
    Map<String, List<LinkedRecord>> links;
    if (job.batch() == 0) {
      String misfit = misfit(p, dest);
      if (misfit != null) {
        fail(job, misfit); // every record would fail the same way: stop before sending any
        return;
      }
      linkDestination(p); // a repeat of the first batch links nothing new
    }
    try (Connection c = ds.getConnection()) {
      rows = store.changed(c, p, run.position(), size * PipelineEngine.CALLS_PER_BATCH);
      mapped = planner.map(rows);
      links = store.links(c, p, planner.keys(mapped));
    }
    if (rows.isEmpty()) {
      finish(job);
      return;
    }
    List<Decision> decisions = planner.plan(rows, mapped, links);
    BatchOutcome outcome = new BatchOutcome(decisions);
    List<Decision> sends = decisions.stream().filter(d -> d.kind() == Decision.Kind.SEND).toList();
    if (!sends.isEmpty()) {
      write(job, p, dest, sends, size, outcome, lastAttempt);
    }
    List<Decision> deletes = decisions.stream().filter(d -> d.kind() == Decision.Kind.DELETE).toList();
    if (!deletes.isEmpty() && outcome.authFailure == null) {
      delete(p, dest, deletes, size, outcome, lastAttempt);
    }
    if (outcome.authFailure != null) {
      fail(job, outcome.authFailure);
      return;
    }
    commit(job, p, rows.get(rows.size() - 1).externalId(), outcome);
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

  /**
   * Uploads the records to send in calls of {@code size}, all at once (at most {@link
   * PipelineEngine#CALLS_PER_BATCH}), and records each record's result.
   */
  private void write(BatchJob job, Pipeline p, DestinationConnector dest, List<Decision> sends, int size, BatchOutcome outcome,
      boolean lastAttempt) throws ConnectorException, InterruptedException {
    ObjectSchema schema;
    try {
      schema = dest.describe(p.destinationObject());
    } catch (ConnectorException e) {
      batchFailed(e, p, sends, outcome, lastAttempt);
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
      } catch (FieldMappingException e) {
        outcome.mappingFailed(d, e.getMessage());
      }
    }
    List<List<Decision>> parts = new ArrayList<>();
    List<ParallelCalls.Call<WriteResult>> calls = new ArrayList<>();
    for (int from = 0; from < records.size(); from += size) {
      int to = Math.min(records.size(), from + size);
      List<OutboundRecord> part = records.subList(from, to);
      // stable across retries of this job; the first call keeps the key a one-call batch always had
      String idempotencyKey = "pipeline:" + job.run() + ":" + job.batch() + ":g" + job.generation() + (from == 0 ? "" : ":" + from / size);
      parts.add(checked.subList(from, to));
      calls.add(() -> dest.uploadBatch(p.destinationObject(), part, idempotencyKey));
    }
    if (calls.isEmpty()) {
      return;
    }
    Map<Decision, Map<String, String>> sent = new IdentityHashMap<>();
    for (int i = 0; i < checked.size(); i++) sent.put(checked.get(i), records.get(i).properties());
    settle(p, calls, parts, outcome, lastAttempt, (d, r) -> outcome.synced(d, r.externalId(), sent.get(d)));
  }

  /** Deletes the destination records of source records deleted since their push, in calls of {@code size} made at once. */
  private void delete(Pipeline p, DestinationConnector dest, List<Decision> deletes, int size, BatchOutcome outcome,
      boolean lastAttempt) throws ConnectorException, InterruptedException {
    List<List<Decision>> parts = new ArrayList<>();
    List<ParallelCalls.Call<WriteResult>> calls = new ArrayList<>();
    for (int from = 0; from < deletes.size(); from += size) {
      List<Decision> part = deletes.subList(from, Math.min(deletes.size(), from + size));
      parts.add(part);
      calls.add(() -> dest.deleteBatch(p.destinationObject(), part.stream().map(Decision::destinationId).toList()));
    }
    settle(p, calls, parts, outcome, lastAttempt, (d, r) -> outcome.deleted(d));
  }

  /**
   * Makes the calls at once, then records each record's result in order: {@code ok} for a record the
   * destination took, a failure otherwise; a whole call that failed goes to {@link #batchFailed}.
   */
  private void settle(Pipeline p, List<ParallelCalls.Call<WriteResult>> calls, List<List<Decision>> parts, BatchOutcome outcome,
      boolean lastAttempt, java.util.function.BiConsumer<Decision, WriteResult.RecordResult> ok)
      throws ConnectorException, InterruptedException {
    outcome.writeCalls += calls.size();
    List<ParallelCalls.Answer<WriteResult>> answers = ParallelCalls.run(calls);
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
    inTransaction(c -> {
      int linked = store.update(c, "link_destination", "field", p.matchField(), "connection", p.destinationConnection(),
          "object_type", p.destinationObject(), "now", now);
      if (linked > 0) log.debug("pipeline {}: {} {}/{} records linked by {}", p.name(), linked, p.destinationConnection(),
          p.destinationObject(), p.matchField());
    });
  }

  private void commit(BatchJob job, Pipeline p, String position, BatchOutcome o) throws SQLException {
    var now = clock.instant();
    inTransaction(c -> {
      int moved = store.update(c, "commit_batch", "run", job.run(), "generation", job.generation(), "batch", job.batch(),
          "position", position, "selected", (long) o.size(), "synced", o.count("synced"), "failed", o.count("failed"),
          "skipped", o.count("skipped"), "write_calls", o.writeCalls, "now", now);
      if (moved == 0) {
        c.rollback(); // cancelled, or another worker committed this batch
        return;
      }
      o.store(c, store, p, job, now);
      store.event(c, job.run(), "batch-committed", Map.of("batch", job.batch() + 1, "selected", o.size(),
          "synced", o.count("synced"), "failed", o.count("failed"), "skipped", o.count("skipped"),
          "write_calls", o.writeCalls, "position", position), now);
      jobs.enqueue(c, new BatchJob(job.run(), job.batch() + 1, job.generation()), p.name());
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
