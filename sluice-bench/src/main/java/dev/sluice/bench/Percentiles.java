package dev.sluice.bench;

import java.util.Arrays;
import java.util.Collection;

/** Order statistics of a sample: nearest-rank percentiles and the median of repeated runs. */
final class Percentiles {
  private final double[] sorted;

  private Percentiles(double[] sorted) {
    this.sorted = sorted;
  }

  /** The sample; NaN values are refused because they have no rank. */
  static Percentiles of(double[] values) {
    if (values.length == 0) throw new IllegalArgumentException("no samples");
    double[] copy = values.clone();
    for (double v : copy) {
      if (Double.isNaN(v)) throw new IllegalArgumentException("a sample is NaN");
    }
    Arrays.sort(copy);
    return new Percentiles(copy);
  }

  /**
   * The nearest-rank percentile: the smallest sample at or below which at least {@code p} percent
   * of the samples lie ({@code p} in (0, 100]). No interpolation, so p99 is a latency some job
   * really had.
   */
  double at(double p) {
    if (!(p > 0 && p <= 100)) throw new IllegalArgumentException("percentile must be in (0, 100]: " + p);
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  int count() {
    return sorted.length;
  }

  double max() {
    return sorted[sorted.length - 1];
  }

  /** The median of repeated runs: the middle value, or the mean of the two middle ones. */
  static double median(Collection<Double> runs) {
    if (runs.isEmpty()) throw new IllegalArgumentException("no runs");
    double[] v = runs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int mid = v.length / 2;
    return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2.0;
  }
}
