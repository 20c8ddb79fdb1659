package dev.sluice.bench;

/**
 * One measured run: {@code jobs} worked between the first handler start and the last handler end
 * ({@code nanos}); the contender also checked that no job was left unworked. The CPU seconds used
 * in the work phase by the database server and by the contender's own processes are NaN where they
 * could not be measured; {@code walBytes} is the WAL the server wrote meanwhile (-1: not measured).
 */
record Throughput(long jobs, long nanos, double serverCpuSeconds, double clientCpuSeconds, long walBytes) {
  Throughput {
    if (jobs <= 0 || nanos <= 0) throw new IllegalArgumentException("empty run: jobs=" + jobs + " nanos=" + nanos);
  }

  Throughput(long jobs, long nanos) {
    this(jobs, nanos, Double.NaN, Double.NaN, -1);
  }

  Throughput(long jobs, long nanos, double serverCpuSeconds, double clientCpuSeconds) {
    this(jobs, nanos, serverCpuSeconds, clientCpuSeconds, -1);
  }

  /** WAL bytes per 1,000 jobs; NaN when not measured. */
  double walBytesPer1k() {
    return walBytes < 0 ? Double.NaN : walBytes * 1000.0 / jobs;
  }

  double jobsPerSec() {
    return jobs * 1e9 / nanos;
  }

  double seconds() {
    return nanos / 1e9;
  }

  /** Server CPU milliseconds per 1,000 jobs; NaN when not measured. */
  double serverCpuMsPer1k() {
    return serverCpuSeconds * 1e6 / jobs;
  }

  /** Client CPU milliseconds per 1,000 jobs; NaN when not measured. */
  double clientCpuMsPer1k() {
    return clientCpuSeconds * 1e6 / jobs;
  }
}
