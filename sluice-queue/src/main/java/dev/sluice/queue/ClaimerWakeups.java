package dev.sluice.queue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * How a worker's claimer threads sleep and are woken. Wake-ups are counted: a claimer reads the
 * count ({@link #seen()}) before it looks for work and sleeps only while it is unchanged, so a
 * wake-up that arrives during a claim is never lost and no claimer can swallow another's.
 */
final class ClaimerWakeups {
  private final AtomicLong count = new AtomicLong();
  private final List<Thread> claimers;

  /** {@code claimers}: every claimer thread, made before any wake-up can happen. */
  ClaimerWakeups(List<Thread> claimers) {
    this.claimers = List.copyOf(claimers);
  }

  long seen() {
    return count.get();
  }

  /** Wakes every claimer at once (the buffer ran low, slots were freed, a capped kind has room). */
  void all() {
    count.incrementAndGet();
    for (Thread t : claimers) LockSupport.unpark(t);
  }

  /**
   * Wakes the first claimer only (a job was enqueued). One claim is enough to find out what was
   * enqueued, and on an idle queue a second claimer racing it only doubles the database work per
   * pickup; if the claim fills the buffer, the handlers wake the others as it drains.
   */
  void first() {
    count.incrementAndGet();
    LockSupport.unpark(claimers.get(0));
  }

  /**
   * Parks the calling claimer until a wake-up newer than {@code seen}, until {@code timeout} passes
   * or until {@code running} turns false (checked whenever the claimer is unparked).
   */
  void await(long seen, Duration timeout, BooleanSupplier running) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (count.get() == seen && running.getAsBoolean()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) return;
      LockSupport.parkNanos(this, left);
    }
  }

  /** Unparks every claimer without counting a wake-up (they are to check whether they should stop). */
  void interrupt() {
    claimers.forEach(LockSupport::unpark);
  }
}
