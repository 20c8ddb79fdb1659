package dev.sluice.connectors;

import java.time.Duration;
import java.util.Optional;

/**
 * A cap on simultaneous requests shared by every process using a connection (Mailchimp: 10
 * simultaneous connections per account), as opposed to a rate. The production implementation is
 * {@link QueueConcurrencyGate}, backed by the queue's PostgreSQL {@code ConcurrencyLimits}; a slot
 * whose holder died is freed when its lease runs out. Thread-safe.
 */
public interface ConcurrencyGate {

  /** How long a caller that found every slot taken is told to wait before trying again. */
  Duration RETRY_WHEN_FULL = Duration.ofMillis(250);

  /** Creates or resizes the cap {@code name} to {@code slots} (idempotent; every process may call it). */
  void define(String name, int slots);

  /** Takes one slot of {@code name}, waiting up to {@code maxWait}; empty when none came free. */
  Optional<Slot> acquire(String name, Duration maxWait);

  /** Caps held in this process only (unit tests; never for real traffic across processes). */
  static ConcurrencyGate inProcess() {
    java.util.Map<String, java.util.concurrent.Semaphore> caps = new java.util.concurrent.ConcurrentHashMap<>();
    return new ConcurrencyGate() {
      @Override
      public void define(String name, int slots) {
        caps.putIfAbsent(name, new java.util.concurrent.Semaphore(slots));
      }

      @Override
      public Optional<Slot> acquire(String name, Duration maxWait) {
        java.util.concurrent.Semaphore s = caps.get(name);
        if (s == null) {
          throw new IllegalArgumentException("no concurrency cap named '" + name + "' (define it first)");
        }
        try {
          if (!s.tryAcquire(maxWait.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)) {
            return Optional.empty();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return Optional.empty();
        }
        java.util.concurrent.atomic.AtomicBoolean freed = new java.util.concurrent.atomic.AtomicBoolean();
        return Optional.of(() -> {
          if (freed.compareAndSet(false, true)) {
            s.release();
          }
        });
      }
    };
  }

  /** A held slot; closing it frees it (once). */
  interface Slot extends AutoCloseable {
    @Override
    void close();
  }
}
