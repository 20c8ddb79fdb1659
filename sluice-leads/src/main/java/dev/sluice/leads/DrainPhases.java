package dev.sluice.leads;

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
  /** Counts and summed nanoseconds since {@link #since}; guarded by this (a few updates per call). */
  private long claims;
  private long claimNanos;
  private long calls;
  private long callNanos;
  private long outcomes;
  private long outcomeNanos;
  private long leads;
  private long since = System.nanoTime();

  DrainPhases(String connection) {
    this.connection = connection;
  }

  synchronized void claim(long nanos) {
    claims++;
    claimNanos += nanos;
  }

  synchronized void call(long nanos) {
    calls++;
    callNanos += nanos;
  }

  /** An outcome commit of {@code leadCount} leads; logs the summary when one is due. */
  void record(long nanos, int leadCount) {
    String line;
    synchronized (this) {
      outcomes++;
      outcomeNanos += nanos;
      leads += leadCount;
      long now = System.nanoTime();
      if (now - since < EVERY_NANOS) return;
      double secs = (now - since) / 1e9;
      line = String.format(java.util.Locale.ROOT,
          "lead drain of %s, last %.1f s: %d leads recorded (%.0f/s), %d calls (%.1f/s, avg %.1f ms incl. permit wait), "
              + "%d claims (avg %.1f ms), %d outcome commits (avg %.1f ms)",
          connection, secs, leads, leads / secs, calls, calls / secs, avg(callNanos, calls), claims, avg(claimNanos, claims),
          outcomes, avg(outcomeNanos, outcomes));
      claims = claimNanos = calls = callNanos = outcomes = outcomeNanos = leads = 0;
      since = now;
    }
    log.info(line);
  }

  private static double avg(long nanos, long count) {
    return count == 0 ? 0 : nanos / 1e6 / count;
  }
}
