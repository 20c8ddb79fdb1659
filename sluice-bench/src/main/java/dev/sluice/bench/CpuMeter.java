package dev.sluice.bench;

import java.lang.management.ManagementFactory;
import java.util.OptionalDouble;

/**
 * CPU spent during a contender's work phase: by the database server (when it runs on this host) and
 * by this JVM. A contender whose workers are other processes adds their CPU itself.
 */
final class CpuMeter {
  private final ServerCpu server;
  private double serverStart = Double.NaN;
  private double serverSeconds = Double.NaN;
  private long jvmStart;
  private double jvmSeconds = Double.NaN;

  CpuMeter(ServerCpu server) {
    this.server = server;
  }

  void start() {
    if (server != null) server.seconds().ifPresent(v -> serverStart = v);
    jvmStart = jvmCpuNanos();
  }

  void stop() {
    if (server != null && !Double.isNaN(serverStart)) server.seconds().ifPresent(v -> serverSeconds = v - serverStart);
    long end = jvmCpuNanos();
    if (end >= 0 && jvmStart >= 0) jvmSeconds = (end - jvmStart) / 1e9;
  }

  /** Server CPU seconds in the window; empty when not measurable. */
  OptionalDouble serverSeconds() {
    return Double.isNaN(serverSeconds) ? OptionalDouble.empty() : OptionalDouble.of(serverSeconds);
  }

  /** This JVM's CPU seconds in the window. */
  OptionalDouble jvmSeconds() {
    return Double.isNaN(jvmSeconds) ? OptionalDouble.empty() : OptionalDouble.of(jvmSeconds);
  }

  private static long jvmCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }
}
