package dev.sluice.connectors;

import dev.sluice.queue.ratelimit.ConcurrencyLimits;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link ConcurrencyGate} over the queue's PostgreSQL {@link ConcurrencyLimits}: every process using
 * a connection counts against the same cap. A slot is leased for {@link #LEASE}, longer than any
 * request ({@link ConnectorHttp#REQUEST_TIMEOUT}), so a process killed mid-request blocks its slot
 * for at most that long.
 */
public final class QueueConcurrencyGate implements ConcurrencyGate {

  /** How long a slot stays taken when its holder dies without freeing it. */
  static final Duration LEASE = ConnectorHttp.REQUEST_TIMEOUT.plusSeconds(30);

  private final ConcurrencyLimits caps;

  private QueueConcurrencyGate(ConcurrencyLimits caps) {
    this.caps = Objects.requireNonNull(caps, "caps");
  }

  /** A gate over {@code caps}. */
  public static QueueConcurrencyGate of(ConcurrencyLimits caps) {
    return new QueueConcurrencyGate(caps);
  }

  @Override
  public void define(String name, int slots) {
    caps.define(name, slots);
  }

  @Override
  public Optional<Slot> acquire(String name, Duration maxWait) {
    return caps.acquire(name, maxWait, LEASE).map(s -> s::close);
  }
}
