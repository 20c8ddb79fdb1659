package dev.sluice.bench;

/** Enqueue → handler start on an idle queue, in milliseconds. */
record PickupLatency(int samples, double p50Ms, double p99Ms, double maxMs) {
  static PickupLatency of(double[] latenciesMs) {
    Percentiles p = Percentiles.of(latenciesMs);
    return new PickupLatency(p.count(), p.at(50), p.at(99), p.max());
  }
}
