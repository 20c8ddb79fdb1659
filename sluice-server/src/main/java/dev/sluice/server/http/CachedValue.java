package dev.sluice.server.http;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/** A value computed at most once per {@code ttl}; callers meanwhile share the last one. Thread-safe. */
final class CachedValue<T> {
  private record Entry<T>(T value, Instant at) {}

  private final Clock clock;
  private final Duration ttl;
  private final Supplier<T> compute;
  private final ReentrantLock lock = new ReentrantLock();
  private Entry<T> entry;

  CachedValue(Clock clock, Duration ttl, Supplier<T> compute) {
    this.clock = clock;
    this.ttl = ttl;
    this.compute = compute;
  }

  T get() {
    lock.lock(); // not synchronized: the computation may wait on the database from a virtual thread
    try {
      Instant now = clock.instant();
      if (entry == null || !now.isBefore(entry.at().plus(ttl))) entry = new Entry<>(compute.get(), now);
      return entry.value();
    } finally {
      lock.unlock();
    }
  }
}
