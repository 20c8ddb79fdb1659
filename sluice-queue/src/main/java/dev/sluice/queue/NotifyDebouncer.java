package dev.sluice.queue;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debounces the NOTIFY of enqueues made in their own transaction. Every NOTIFY takes a
 * cluster-wide lock at commit, so a burst of single enqueues would serialise on it. The first
 * enqueue in a window notifies inline (so an idle queue is woken at once); later ones in the window
 * skip it, and one trailing NOTIFY is sent after the window — scheduled only once a skipped
 * enqueue has committed, so the woken worker always sees that job.
 */
final class NotifyDebouncer {
  private static final Logger log = LoggerFactory.getLogger(NotifyDebouncer.class);
  /** Window within which enqueues of one JobQueue share a wake-up. */
  static final Duration WINDOW_DEFAULT = Duration.ofMillis(2);

  private final PostgresJobStore store;
  /** Payload of the trailing NOTIFY (the enqueuing queue's own workers were woken in-process). */
  private final String notice;
  private final long windowNanos;
  private final AtomicLong lastInline = new AtomicLong(System.nanoTime() - TimeUnit.HOURS.toNanos(1));
  private final AtomicBoolean trailingScheduled = new AtomicBoolean();
  private volatile ScheduledExecutorService timer;

  NotifyDebouncer(PostgresJobStore store, String notice, Duration window) {
    this.store = store;
    this.notice = notice;
    this.windowNanos = window.toNanos();
  }

  /** True when this enqueue should NOTIFY itself; false when it must call {@link #skippedAndCommitted()}. */
  boolean notifyInline() {
    long now = System.nanoTime();
    long last = lastInline.get();
    return now - last >= windowNanos && lastInline.compareAndSet(last, now);
  }

  /** A job enqueued without its own NOTIFY has committed: make sure a trailing one follows. */
  void skippedAndCommitted() {
    if (!trailingScheduled.compareAndSet(false, true)) return;
    timer().schedule(() -> {
      trailingScheduled.set(false);
      lastInline.set(System.nanoTime());
      try {
        store.notifyReady(notice);
      } catch (SQLException e) {
        log.debug("trailing notify failed (workers will poll): {}", e.getMessage());
      }
    }, windowNanos, TimeUnit.NANOSECONDS);
  }

  private ScheduledExecutorService timer() {
    ScheduledExecutorService t = timer;
    if (t == null) {
      synchronized (this) {
        if (timer == null) {
          timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("sluice-notify-debounce").factory());
        }
        t = timer;
      }
    }
    return t;
  }
}
