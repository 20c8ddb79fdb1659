package dev.sluice.queue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many claimed jobs a worker keeps waiting in its local buffer beyond the running ones. Fixed
 * when the worker was given a prefetch; otherwise adaptive between the worker's concurrency and a
 * maximum: it doubles (once per claim) when the handlers found the buffer empty although the last
 * claim got every job it asked for, so the claims' round trips, not the queue, kept them waiting;
 * it halves (at most once per {@link #SHRINK_AFTER_NANOS}) when a buffered job waited longer than
 * that to start, so slow jobs are not hoarded away from other workers; and it returns to the
 * minimum when a claim found fewer jobs than it asked for (the queue ran dry). Thread-safe.
 */
final class PrefetchTarget {
  /** A buffered job that waited this long to start shows the buffer is deeper than the handlers need. */
  static final long SHRINK_AFTER_NANOS = 1_000_000_000L;

  private final int min;
  private final int max;
  private final AtomicInteger target;
  /** The claim whose starvation last doubled the target: each claim doubles it once at most. */
  private final AtomicLong grownForClaim = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong lastShrinkNanos = new AtomicLong(Long.MIN_VALUE);

  private PrefetchTarget(int min, int max) {
    if (min < 0 || max < min) throw new IllegalArgumentException("prefetch bounds " + min + ".." + max);
    this.min = min;
    this.max = max;
    this.target = new AtomicInteger(min);
  }

  static PrefetchTarget fixed(int prefetch) {
    return new PrefetchTarget(prefetch, prefetch);
  }

  static PrefetchTarget adaptive(int min, int max) {
    return new PrefetchTarget(min, Math.max(min, max));
  }

  int get() {
    return target.get();
  }

  int max() {
    return max;
  }

  /** A handler found the buffer empty, and claim number {@code fullClaim} had got every job it asked for. */
  void starved(long fullClaim) {
    if (min == max) return;
    long grown = grownForClaim.get();
    if (fullClaim <= grown || !grownForClaim.compareAndSet(grown, fullClaim)) return;
    target.updateAndGet(t -> Math.min(max, Math.max(t * 2, t + 1)));
  }

  /** A buffered job started after waiting {@code waitedNanos}; {@code nowNanos} is System.nanoTime(). */
  void waited(long waitedNanos, long nowNanos) {
    if (min == max || waitedNanos <= SHRINK_AFTER_NANOS) return;
    long last = lastShrinkNanos.get();
    if (last != Long.MIN_VALUE && nowNanos - last < SHRINK_AFTER_NANOS) return;
    if (!lastShrinkNanos.compareAndSet(last, nowNanos)) return;
    target.updateAndGet(t -> Math.max(min, t / 2));
  }

  /** A claim found fewer jobs than it asked for: nothing is gained by a deeper buffer now. */
  void drained() {
    if (min != max) target.set(min);
  }
}
