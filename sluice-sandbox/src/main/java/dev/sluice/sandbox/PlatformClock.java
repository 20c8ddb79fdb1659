package dev.sluice.sandbox;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The clock a vendor platform of the sandbox reads: the one given in its options, or else the shared sandbox clock
 * once the sandbox attaches it (system UTC until then). Thread-safe.
 */
public final class PlatformClock extends Clock {
  private final boolean given;
  private volatile Clock delegate;

  /** {@code given} is the clock from the platform's options, or null to follow the sandbox's. */
  public PlatformClock(Clock given) {
    this.given = given != null;
    this.delegate = given != null ? given : Clock.systemUTC();
  }

  /**
   * Follows the shared sandbox clock from now on, unless the options named a clock of their own;
   * called when the sandbox attaches the platform.
   */
  public void adopt(Clock shared) {
    if (!given) this.delegate = shared;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return delegate.withZone(zone);
  }

  @Override
  public long millis() {
    return delegate.millis();
  }

  @Override
  public Instant instant() {
    return delegate.instant();
  }
}
