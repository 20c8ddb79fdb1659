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
import java.util.function.Function;

/**
 * Reads the next pages of a stream in the background while the caller commits the current one.
 *
 * <p>A stream's pages are read strictly one after another (the sync engine commits a page before it
 * asks for the next), so without read-ahead the list call, the association reads and the engine's
 * commit add up per page. As soon as a page is returned its next checkpoint is known; this starts
 * fetching that checkpoint on a virtual thread, and as soon as that page's list call has answered
 * (before its association reads), the one after it, up to {@link #DEPTH} pages ahead of the
 * caller: the list calls then follow each other as closely as the rate limit allows, and a page
 * whose read takes longer than one commit is made up for by the page already waiting behind it. Each
 * page read ahead is handed to the {@code fetchRecords} call for exactly its checkpoint. Anything else
 * reads directly: another checkpoint, an entry older than {@link #MAX_AGE}, or a failed read-ahead
 * (its error is dropped; the direct read meets the same condition again and classifies it as
 * usual; nothing is read ahead past a failure).
 *
 * <p>A page read ahead is what a direct read at that checkpoint returned at that moment; later
 * changes reach the mirror through incremental syncs, as for any page read a moment before it is
 * committed. Thread-safe.
 */
final class HubSpotReadAhead implements AutoCloseable {

  /** A page read ahead longer ago than this is not used: the caller was not continuing that stream. */
  static final Duration MAX_AGE = Duration.ofSeconds(30);
  /**
   * Longest a read-ahead waits for a rate-limit permit. Beyond it the limiter, not the round trips,
   * sets the pace, and the direct read waits (or snoozes the job) as usual.
   */
  static final Duration MAX_LIMITER_WAIT = Duration.ofMillis(500);
  /** Pages held (being read or read) ahead of the caller, per stream. */
  static final int DEPTH = 2;

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HubSpotReadAhead.class);

  /**
   * Reads one page; sends nothing further once {@code cancelled} is true; tells {@code nextKnown}
   * the next page's checkpoint as soon as it knows it (before the page is complete), if it can.
   */
  interface PageRead {
    Page read(BooleanSupplier cancelled, java.util.function.Consumer<String> nextKnown) throws ConnectorException;
  }

  /** One page being read, or read, ahead. */
  private static final class Pending {
    final Instant startedAt;
    final CompletableFuture<Page> page = new CompletableFuture<>();
    volatile boolean cancelled;

    Pending(Instant startedAt) {
      this.startedAt = startedAt;
    }
  }

  private record Key(String stream, String checkpoint) {}

  private final Clock clock;
  private final String connection;
  private final ConcurrentMap<Key, Pending> held = new ConcurrentHashMap<>();
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
    // Other checkpoints' pages stay: a retry of an earlier page returns to them (see start).
    Pending p = held.remove(new Key(stream, checkpoint));
    if (p == null) {
      return null;
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
   * Starts reading {@code checkpoint} of {@code stream} in the background, and then the pages after
   * it up to {@link #DEPTH} ahead, unless a fresh, not failed read of that checkpoint is held
   * already (then only the pages after it are started). {@code reads} gives the read of a checkpoint.
   */
  void start(String stream, String checkpoint, Function<String, PageRead> reads) {
    if (closed) {
      return;
    }
    dropUnusable(stream);
    Key key = new Key(stream, checkpoint);
    Pending fresh = new Pending(clock.instant());
    Pending kept = held.compute(key, (k, current) ->
        current != null && !stale(current) && !current.page.isCompletedExceptionally() ? current : fresh);
    if (kept != fresh) {
      // Already held: if it is read, continue behind it (its own completion did not, the depth was full).
      kept.page.thenAccept(page -> continueAfter(stream, page, reads));
      return;
    }
    if (closed) {
      fresh.cancelled = true;
      held.remove(key, fresh);
      return;
    }
    running.incrementAndGet();
    Thread.ofVirtual().name("hubspot-read-ahead-" + connection + "-" + stream).start(() -> {
      try {
        Page page = reads.apply(checkpoint).read(() -> fresh.cancelled || closed, next -> continueWith(stream, next, reads));
        fresh.page.complete(page);
        continueAfter(stream, page, reads);
      } catch (Throwable t) {
        fresh.page.completeExceptionally(t);
      } finally {
        running.decrementAndGet();
      }
    });
  }

  private void continueAfter(String stream, Page page, Function<String, PageRead> reads) {
    if (!page.streamDone()) {
      continueWith(stream, page.nextCheckpoint(), reads);
    }
  }

  /** Starts reading {@code next} when the stream holds fewer than {@link #DEPTH} pages and not that one. */
  private void continueWith(String stream, String next, Function<String, PageRead> reads) {
    if (!closed && next != null && heldFor(stream) < DEPTH && !held.containsKey(new Key(stream, next))) {
      start(stream, next, reads);
    }
  }

  private int heldFor(String stream) {
    int n = 0;
    for (Key k : held.keySet()) {
      if (k.stream().equals(stream)) {
        n++;
      }
    }
    return n;
  }

  /** Forgets this stream's pages that are too old or failed: they would only be read again. */
  private void dropUnusable(String stream) {
    held.forEach((k, p) -> {
      if (k.stream().equals(stream) && (stale(p) || p.page.isCompletedExceptionally() || p.cancelled)) {
        if (held.remove(k, p)) {
          p.cancelled = true;
        }
      }
    });
  }

  private boolean stale(Pending p) {
    return Duration.between(p.startedAt, clock.instant()).compareTo(MAX_AGE) > 0;
  }

  /** For tests: how many pages are held (being read or read ahead), all streams together. */
  int held() {
    return held.size();
  }

  /** For tests: how many read-aheads are still running (closing does not wait for them). */
  int running() {
    return running.get();
  }

  /** Stops every read-ahead: none sends another request, none is handed out. */
  @Override
  public void close() {
    closed = true;
    held.values().forEach(p -> p.cancelled = true);
    held.clear();
  }
}
