package dev.sluice.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/** What one contender did over all runs: its throughput per run, pickup latencies, or why it did not run. */
final class ContenderResult {
  private final String name;
  private final String settings;
  private final List<Double> jobsPerSec = new ArrayList<>();
  private final List<Double> serverCpuMsPer1k = new ArrayList<>();
  private final List<Double> clientCpuMsPer1k = new ArrayList<>();
  private final List<Double> walBytesPer1k = new ArrayList<>();
  private final List<PickupLatency> pickups = new ArrayList<>();
  private String skipped;
  private final List<String> failures = new ArrayList<>();

  ContenderResult(String name, String settings) {
    this.name = name;
    this.settings = settings;
  }

  static ContenderResult skipped(String name, String reason) {
    ContenderResult r = new ContenderResult(name, null);
    r.skipped = reason;
    return r;
  }

  String name() {
    return name;
  }

  String settings() {
    return settings;
  }

  void addRun(Throughput t) {
    jobsPerSec.add(t.jobsPerSec());
    if (Double.isFinite(t.serverCpuMsPer1k())) serverCpuMsPer1k.add(t.serverCpuMsPer1k());
    if (Double.isFinite(t.clientCpuMsPer1k())) clientCpuMsPer1k.add(t.clientCpuMsPer1k());
    if (Double.isFinite(t.walBytesPer1k())) walBytesPer1k.add(t.walBytesPer1k());
  }

  /** Median WAL bytes the server wrote per 1,000 jobs over the runs where it was measured. */
  OptionalDouble medianWalBytesPer1k() {
    return walBytesPer1k.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(Percentiles.median(walBytesPer1k));
  }

  /** Median database-server CPU per 1,000 jobs over the runs where it was measured. */
  OptionalDouble medianServerCpuMsPer1k() {
    return serverCpuMsPer1k.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(Percentiles.median(serverCpuMsPer1k));
  }

  /** Median CPU of the contender's own processes per 1,000 jobs. */
  OptionalDouble medianClientCpuMsPer1k() {
    return clientCpuMsPer1k.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(Percentiles.median(clientCpuMsPer1k));
  }

  void addPickup(PickupLatency p) {
    pickups.add(p);
  }

  void addFailure(String message) {
    failures.add(message);
  }

  void skip(String reason) {
    skipped = reason;
  }

  String skippedReason() {
    return skipped;
  }

  List<String> failures() {
    return List.copyOf(failures);
  }

  List<Double> jobsPerSecRuns() {
    return List.copyOf(jobsPerSec);
  }

  List<PickupLatency> pickups() {
    return List.copyOf(pickups);
  }

  /** Median jobs/s over the runs that completed; empty when none did. */
  OptionalDouble medianJobsPerSec() {
    return jobsPerSec.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(Percentiles.median(jobsPerSec));
  }

  OptionalDouble medianPickupP50() {
    return pickups.isEmpty() ? OptionalDouble.empty()
        : OptionalDouble.of(Percentiles.median(pickups.stream().map(PickupLatency::p50Ms).toList()));
  }

  OptionalDouble medianPickupP99() {
    return pickups.isEmpty() ? OptionalDouble.empty()
        : OptionalDouble.of(Percentiles.median(pickups.stream().map(PickupLatency::p99Ms).toList()));
  }
}
