package dev.sluice.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: many concurrent callers' items are written in one transaction, and each caller's
 * future completes only after that transaction has committed with {@code synchronous_commit} on
 * (the WAL is flushed), so an answer built on it is durable.
 *
 * <p>Batches form naturally: a few committer threads each take whatever is waiting (up to
 * {@link Builder#maxBatch}) while the others are busy committing, so a lone caller commits at once
 * and a spike shares one fsync among hundreds. When a batch fails (an SQL error or a runtime
 * exception from the writer), its items are retried one per transaction, so one bad item fails
 * only its own caller.
 *
 * <p>Thread-safe. Used by the lead intake and the inbound webhook store.
 *
 * @param <T> what callers submit
 * @param <R> what each caller gets back once committed
 */
public final class GroupCommitter<T, R> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GroupCommitter.class);

  /** Items per transaction unless configured: beyond this the statement, not the fsync, dominates. */
  public static final int DEFAULT_MAX_BATCH = 500;
  /** Committer threads unless configured: one collects while another waits for its fsync. */
  public static final int DEFAULT_COMMITTERS = 3;
  /** Items waiting beyond which {@link #submit} refuses (the caller answers 503, nothing stored). */
  public static final int DEFAULT_MAX_WAITING = 20_000;

  /** Writes one batch on a connection inside the committer's transaction. */
  @FunctionalInterface
  public interface BatchWriter<T, R> {
    /**
     * Writes {@code items} on {@code c} (auto-commit off; the committer commits) and returns one
     * result per item, in order. Must not commit or roll back itself.
     */
    List<R> write(Connection c, List<T> items) throws SQLException;
  }

  private record Pending<T, R>(T item, CompletableFuture<R> result) {}

  private final DataSource dataSource;
  private final BatchWriter<T, R> writer;
  private final int maxBatch;
  private final BlockingQueue<Pending<T, R>> waiting;
  private final List<Thread> committers = new ArrayList<>();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong items = new AtomicLong();
  private volatile boolean closed;

  private GroupCommitter(Builder<T, R> b) {
    this.dataSource = b.dataSource;
    this.writer = b.writer;
    this.maxBatch = b.maxBatch;
    this.waiting = new ArrayBlockingQueue<>(b.maxWaiting);
    for (int i = 0; i < b.committers; i++) {
      Thread t = new Thread(this::run, b.name + "-commit-" + i);
      t.setDaemon(true);
      committers.add(t);
      t.start();
    }
  }

  /** A builder writing with {@code writer} on connections from {@code dataSource}. */
  public static <T, R> Builder<T, R> builder(DataSource dataSource, BatchWriter<T, R> writer) {
    return new Builder<>(dataSource, writer);
  }

  /**
   * Queues {@code item}; the future completes with its result after the commit that holds it, or
   * exceptionally with the {@link SQLException} (or the writer's runtime exception) that kept it
   * out of the database. A caller that stops waiting should {@link CompletableFuture#cancel cancel}
   * the future: an item whose future is already done when its batch forms is not written.
   *
   * @throws RejectedExecutionException when closed or when {@link Builder#maxWaiting} items wait
   */
  public CompletableFuture<R> submit(T item) {
    Objects.requireNonNull(item, "item");
    if (closed) throw new RejectedExecutionException("the group committer is closed");
    CompletableFuture<R> f = new CompletableFuture<>();
    if (!waiting.offer(new Pending<>(item, f))) {
      throw new RejectedExecutionException("too many items waiting for a commit (" + waiting.size() + ")");
    }
    return f;
  }

  /** Transactions committed so far. */
  public long batches() {
    return batches.get();
  }

  /** Items committed so far. */
  public long items() {
    return items.get();
  }

  private void run() {
    List<Pending<T, R>> batch = new ArrayList<>(maxBatch);
    while (!closed || !waiting.isEmpty()) {
      try {
        Pending<T, R> first = waiting.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) continue;
        batch.add(first);
        waiting.drainTo(batch, maxBatch - 1);
        commit(batch);
      } catch (InterruptedException e) {
        if (closed) break;
      } catch (RuntimeException | Error e) {
        batch.forEach(p -> p.result().completeExceptionally(e));
        log.error("group commit failed unexpectedly", e);
      } finally {
        batch.clear();
      }
    }
  }

  private void commit(List<Pending<T, R>> batch) {
    // A caller that stopped waiting (timed out and cancelled, answered 503) must not be written.
    batch.removeIf(p -> p.result().isDone());
    if (batch.isEmpty()) return;
    try {
      List<R> results = writeInTransaction(batch);
      batches.incrementAndGet();
      items.addAndGet(batch.size());
      for (int i = 0; i < batch.size(); i++) batch.get(i).result().complete(results.get(i));
    } catch (SQLException | RuntimeException e) {
      if (batch.size() == 1) {
        batch.get(0).result().completeExceptionally(e);
        return;
      }
      // Find the item at fault (a failed statement or a writer that threw): each alone, so the
      // others still commit.
      for (Pending<T, R> p : batch) commit(new ArrayList<>(List.of(p)));
    }
  }

  private List<R> writeInTransaction(List<Pending<T, R>> batch) throws SQLException {
    List<T> in = new ArrayList<>(batch.size());
    for (Pending<T, R> p : batch) in.add(p.item());
    try (Connection c = dataSource.getConnection()) {
      boolean auto = c.getAutoCommit();
      c.setAutoCommit(false);
      boolean committed = false;
      try {
        try (Statement s = c.createStatement()) {
          // The answer to every caller depends on this commit reaching the disk.
          s.execute("SET LOCAL synchronous_commit TO on");
        }
        List<R> out = writer.write(c, in);
        if (out.size() != in.size()) {
          throw new IllegalStateException("batch writer returned " + out.size() + " results for " + in.size() + " items");
        }
        c.commit();
        committed = true;
        return out;
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException re) {
          e.addSuppressed(re);
        }
        throw e;
      } finally {
        try {
          c.setAutoCommit(auto);
        } catch (SQLException | RuntimeException e) {
          // After a commit the batch is stored: a failure here must not fail (and re-run) it.
          if (!committed) throw e;
          log.warn("group commit: restoring auto-commit after a commit failed: {}", e.getMessage());
        }
      }
    }
  }

  /** Stops taking items, commits those already waiting, and stops the committer threads. */
  @Override
  public void close() {
    closed = true;
    for (Thread t : committers) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    Pending<T, R> p;
    while ((p = waiting.poll()) != null) p.result().completeExceptionally(new RejectedExecutionException("closed before commit"));
  }

  /** Settings of a {@link GroupCommitter}; {@link #build()} starts its threads. */
  public static final class Builder<T, R> {
    private final DataSource dataSource;
    private final BatchWriter<T, R> writer;
    private int maxBatch = DEFAULT_MAX_BATCH;
    private int committers = DEFAULT_COMMITTERS;
    private int maxWaiting = DEFAULT_MAX_WAITING;
    private String name = "group";

    private Builder(DataSource dataSource, BatchWriter<T, R> writer) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      this.writer = Objects.requireNonNull(writer, "writer");
    }

    /** Most items in one transaction. */
    public Builder<T, R> maxBatch(int n) {
      if (n < 1) throw new IllegalArgumentException("maxBatch must be at least 1");
      this.maxBatch = n;
      return this;
    }

    /** Threads committing at once (each holds one pooled connection while it commits). */
    public Builder<T, R> committers(int n) {
      if (n < 1) throw new IllegalArgumentException("committers must be at least 1");
      this.committers = n;
      return this;
    }

    /** Items that may wait for a commit before {@link #submit} refuses more. */
    public Builder<T, R> maxWaiting(int n) {
      if (n < 1) throw new IllegalArgumentException("maxWaiting must be at least 1");
      this.maxWaiting = n;
      return this;
    }

    /** Thread name prefix. */
    public Builder<T, R> name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    public GroupCommitter<T, R> build() {
      return new GroupCommitter<>(this);
    }
  }
}
