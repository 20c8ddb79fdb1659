package dev.sluice.sync;

import java.util.List;

/**
 * The buckets of the run-duration histogram kept in {@code sync_run_total} and exported at
 * {@code /metrics} as {@code sluice_sync_run_duration_seconds}: a run is counted in every bucket
 * whose upper bound (seconds) it is within.
 */
public final class RunDurations {
  /** Upper bounds in seconds, ascending (the implicit last bucket, {@code +Inf}, is the run count). */
  public static final List<Double> BOUNDS = List.of(1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0, 14400.0, 86400.0);

  private RunDurations() {}

  /** 1 for each bound {@code seconds} is within, else 0: what one run adds to the cumulative counts. */
  static Long[] increment(double seconds) {
    Long[] out = new Long[BOUNDS.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = seconds <= BOUNDS.get(i) ? 1L : 0L;
    }
    return out;
  }
}
