package dev.sluice.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Settings of {@code sluice bench leads}.
 *
 * @param clients concurrent clients of the closed-loop throughput phases (baseline, then group commit)
 * @param phase length of each throughput phase
 * @param rate submissions per second of the latency phase
 * @param latencyPhase length of the latency phase
 * @param sluice the command that runs {@code sluice} (for the child {@code serve})
 * @param home where the child's embedded PostgreSQL and logs go (a fresh directory per run beneath it)
 * @param drainers lead drainers per connection in the child serve ({@code leads.drainers}); 0 = serve's default
 */
public record LeadBenchOptions(int clients, Duration phase, int rate, Duration latencyPhase, List<String> sluice, Path home,
                               int drainers) {
  public LeadBenchOptions {
    if (drainers < 0 || drainers > 64) throw new IllegalArgumentException("--drainers must be 0 (serve's default) to 64, not " + drainers);
  }

  public LeadBenchOptions(int clients, Duration phase, int rate, Duration latencyPhase, List<String> sluice, Path home) {
    this(clients, phase, rate, latencyPhase, sluice, home, 0);
  }

  public static final int DEFAULT_CLIENTS = 32;
  public static final Duration DEFAULT_PHASE = Duration.ofSeconds(10);
  public static final int DEFAULT_RATE = 2_000;
  public static final Duration DEFAULT_LATENCY_PHASE = Duration.ofSeconds(10);
}
