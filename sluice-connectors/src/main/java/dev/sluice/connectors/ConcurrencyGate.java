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

  /** A held slot; closing it frees it (once). */
  interface Slot extends AutoCloseable {
    @Override
    void close();
  }
}
