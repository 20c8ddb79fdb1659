package dev.sluice.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * Settings of {@code sluice bench webhooks}.
 *
 * @param requests signed requests per mode in the throughput phase (closed loop)
 * @param clients concurrent senders in the throughput phase, and the most requests in flight in the latency phase
 * @param pacedRate requests per second of the latency phase (open loop, group commit only)
 * @param pacedSeconds how long the latency phase sends
 * @param maxEvents events per request are uniform in 1..maxEvents
 * @param runs runs of both servers, alternating (the report gives medians)
 * @param sluice the command that starts {@code sluice} (this jar) for the child {@code serve}
 * @param databaseUrl PostgreSQL to run on; null = the embedded bench server
 * @param home local state (the embedded bench server's data)
 */
public record WebhookBenchOptions(int requests, int clients, int pacedRate, int pacedSeconds, int maxEvents, int runs,
    List<String> sluice, String databaseUrl, Path home) {
  public static final int DEFAULT_REQUESTS = 3_000;
  public static final int DEFAULT_CLIENTS = 32;
  public static final int DEFAULT_PACED_RATE = 1_000;
  public static final int DEFAULT_PACED_SECONDS = 5;
  public static final int DEFAULT_MAX_EVENTS = 100;
  public static final int DEFAULT_RUNS = 3;

  public WebhookBenchOptions {
    if (requests < 1 || clients < 1 || pacedRate < 1 || pacedSeconds < 1 || runs < 1) throw new IllegalArgumentException("counts must be positive");
    if (maxEvents < 1 || maxEvents > 100) throw new IllegalArgumentException("--max-events must be 1..100 (HubSpot sends at most 100)");
  }
}
