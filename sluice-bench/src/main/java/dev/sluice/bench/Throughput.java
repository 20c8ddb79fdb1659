package dev.sluice.bench;

/**
 * One measured run: {@code jobs} worked between the first handler start and the last handler end
 * ({@code nanos}); the contender also checked that no job was left unworked.
 */
record Throughput(long jobs, long nanos) {
  Throughput {
    if (jobs <= 0 || nanos <= 0) throw new IllegalArgumentException("empty run: jobs=" + jobs + " nanos=" + nanos);
  }

  double jobsPerSec() {
    return jobs * 1e9 / nanos;
  }

  double seconds() {
    return nanos / 1e9;
  }
}
