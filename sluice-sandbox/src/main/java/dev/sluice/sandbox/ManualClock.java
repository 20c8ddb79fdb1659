package dev.sluice.sandbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that only moves when told to, for tests that must cross a rate-limit window or an index
 * lag without sleeping. Thread-safe; millisecond resolution.
 */
public final class ManualClock extends Clock {
  private final AtomicLong millis;

  public ManualClock(Instant start) {
    this.millis = new AtomicLong(start.toEpochMilli());
  }

  /** A clock starting at the current wall-clock time. */
  public static ManualClock startingNow() {
    return new ManualClock(Instant.now());
  }

  /** Moves the clock forward (or backward, with a negative duration). */
  public void advance(Duration by) {
    millis.addAndGet(by.toMillis());
  }

  public void set(Instant to) {
    millis.set(to.toEpochMilli());
  }

  @Override
  public long millis() {
    return millis.get();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis.get());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
