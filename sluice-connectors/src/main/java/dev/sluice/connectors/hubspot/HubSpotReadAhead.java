package dev.sluice.connectors.hubspot;

import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.Page;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;

/**
 * Reads the next page of a stream in the background while the caller commits the current one.
 *
 * <p>A stream's pages are read strictly one after another (the sync engine commits a page before it
 * asks for the next), so without read-ahead the list call, the association reads and the engine's
 * commit add up per page. As soon as a page is returned its next checkpoint is known; this starts
 * fetching that checkpoint on a virtual thread and hands the result to the {@code readPage} call for
 * exactly that checkpoint. Anything else reads directly: another checkpoint, an entry older than
 * {@link #MAX_AGE}, or a failed read-ahead (its error is dropped; the direct read meets the same
 * condition again and classifies it as usual).
 *
 * <p>At most one page per stream is held. A page read ahead is what a direct read at that
 * checkpoint returned at that moment; later changes reach the mirror through incremental syncs, as
 * for any page read a moment before it is committed. Thread-safe.
 */
final class HubSpotReadAhead implements AutoCloseable {

  /** A page read ahead longer ago than this is not used: the caller was not continuing that stream. */
  static final Duration MAX_AGE = Duration.ofSeconds(30);
  /**
   * Longest a read-ahead waits for a rate-limit permit. Beyond it the limiter, not the round trips,
   * sets the pace, and the direct read waits (or snoozes the job) as usual.
   */
  static final Duration MAX_LIMITER_WAIT = Duration.ofMillis(500);

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HubSpotReadAhead.class);

  /** Reads one page; sends nothing further once {@code cancelled} is true. */
  interface PageRead {
    Page read(BooleanSupplier cancelled) throws ConnectorException;
  }

  /** One page being read, or read, ahead. */
  private static final class Pending {
    final String checkpoint;
    final Instant startedAt;
    final CompletableFuture<Page> page = new CompletableFuture<>();
    volatile boolean cancelled;

    Pending(String checkpoint, Instant startedAt) {
      this.checkpoint = checkpoint;
      this.startedAt = startedAt;
    }
  }

  private final Clock clock;
  private final String connection;
  private final ConcurrentMap<String, Pending> byStream = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
  private volatile boolean closed;

  HubSpotReadAhead(String connection, Clock clock) {
    this.connection = connection;
    this.clock = clock;
  }

  /**
   * The page read ahead for exactly {@code checkpoint} of {@code stream}, waiting for it if it is
   * still being read; null when there is none usable (the caller reads directly).
   */
  Page take(String stream, String checkpoint) throws ConnectorException {
    Pending p = byStream.get(stream);
    if (p == null || !p.checkpoint.equals(checkpoint)) {
      // Left in place: a retry of the page before it returns that checkpoint again (see start).
      return null;
    }
    if (!byStream.remove(stream, p)) {
      return null; // a concurrent reader of the same stream took it
    }
    if (stale(p)) {
      p.cancelled = true;
      return null;
    }
    try {
      return p.page.get();
    } catch (InterruptedException e) {
      p.cancelled = true;
      Thread.currentThread().interrupt();
      throw ConnectorException.retryable("interrupted while waiting for the page read ahead at " + checkpoint, 0, e);
    } catch (ExecutionException | CancellationException e) {
      LOG.debug("{} {}: read-ahead failed, reading directly: {}", connection, stream,
          e.getCause() == null ? e.toString() : e.getCause().getMessage());
      return null;
    }
  }

  /**
   * Starts reading {@code checkpoint} of {@code stream} in the background, replacing what the
   * stream held, unless it already holds a fresh, not failed read of that same checkpoint.
   */
  void start(String stream, String checkpoint, PageRead read) {
    if (closed) {
      return;
    }
    Pending fresh = new Pending(checkpoint, clock.instant());
    Pending[] replaced = new Pending[1];
    Pending kept = byStream.compute(stream, (k, current) -> {
      if (current != null && current.checkpoint.equals(checkpoint) && !stale(current) && !current.page.isCompletedExceptionally()) {
        return current;
      }
      replaced[0] = current;
      return fresh;
    });
    if (replaced[0] != null) {
      replaced[0].cancelled = true;
    }
    if (kept != fresh) {
      return;
    }
    if (closed) {
      fresh.cancelled = true;
      byStream.remove(stream, fresh);
      return;
    }
    running.incrementAndGet();
    Thread.ofVirtual().name("hubspot-read-ahead-" + connection + "-" + stream).start(() -> {
      try {
        fresh.page.complete(read.read(() -> fresh.cancelled || closed));
      } catch (Throwable t) {
        fresh.page.completeExceptionally(t);
      } finally {
        running.decrementAndGet();
      }
    });
  }

  private boolean stale(Pending p) {
    return Duration.between(p.startedAt, clock.instant()).compareTo(MAX_AGE) > 0;
  }

  /** For tests: how many streams hold a page read ahead. */
  int held() {
    return byStream.size();
  }

  /** For tests: how many read-aheads are still running (closing does not wait for them). */
  int running() {
    return running.get();
  }

  /** Stops every read-ahead: none sends another request, none is handed out. */
  @Override
  public void close() {
    closed = true;
    byStream.values().forEach(p -> p.cancelled = true);
    byStream.clear();
  }
}
