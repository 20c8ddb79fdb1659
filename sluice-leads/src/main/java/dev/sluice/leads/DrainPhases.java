package dev.sluice.leads;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a connection's drain spends its time: claims, CRM calls (the rate-limit permit wait
 * included) and outcome commits, summed over all its drainers and logged once per
 * {@link #EVERY_NANOS} while the drain is busy. Thread-safe.
 */
final class DrainPhases {
  private static final Logger log = LoggerFactory.getLogger(LeadDrain.class);
  static final long EVERY_NANOS = 10_000_000_000L;

  private final String connection;
  private final AtomicLong claims = new AtomicLong();
  private final AtomicLong claimNanos = new AtomicLong();
  private final AtomicLong calls = new AtomicLong();
  private final AtomicLong callNanos = new AtomicLong();
  private final AtomicLong records = new AtomicLong();
  private final AtomicLong recordNanos = new AtomicLong();
  private final AtomicLong leads = new AtomicLong();
  private final AtomicLong since = new AtomicLong(System.nanoTime());

  DrainPhases(String connection) {
    this.connection = connection;
  }

  void claim(long nanos) {
    claims.incrementAndGet();
    claimNanos.addAndGet(nanos);
  }

  void call(long nanos) {
    calls.incrementAndGet();
    callNanos.addAndGet(nanos);
  }

  void record(long nanos, int leadCount) {
    records.incrementAndGet();
    recordNanos.addAndGet(nanos);
    leads.addAndGet(leadCount);
    report();
  }

  private void report() {
    long start = since.get();
    long now = System.nanoTime();
    if (now - start < EVERY_NANOS || !since.compareAndSet(start, now)) return;
    long cl = claims.getAndSet(0);
    long clN = claimNanos.getAndSet(0);
    long ca = calls.getAndSet(0);
    long caN = callNanos.getAndSet(0);
    long re = records.getAndSet(0);
    long reN = recordNanos.getAndSet(0);
    long le = leads.getAndSet(0);
    double secs = (now - start) / 1e9;
    log.info(String.format(java.util.Locale.ROOT,
        "lead drain of %s, last %.1f s: %d leads recorded (%.0f/s), %d calls (%.1f/s, avg %.1f ms incl. permit wait), "
            + "%d claims (avg %.1f ms), %d outcome commits (avg %.1f ms)",
        connection, secs, le, le / secs, ca, ca / secs, ca == 0 ? 0 : caN / 1e6 / ca, cl, cl == 0 ? 0 : clN / 1e6 / cl, re,
        re == 0 ? 0 : reN / 1e6 / re));
  }
}
