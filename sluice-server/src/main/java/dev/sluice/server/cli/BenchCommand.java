package dev.sluice.server.cli;

import dev.sluice.bench.QueueBenchOptions;
import dev.sluice.bench.QueueBenchReport;
import dev.sluice.bench.QueueBenchmark;
import dev.sluice.bench.SyncBenchOptions;
import dev.sluice.bench.SyncBenchReport;
import dev.sluice.bench.SyncBenchmark;
import dev.sluice.postgres.PostgresSource;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice bench queue|sync}: the measurements behind docs/benchmarks.md. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Measure the queue against its peers, or a full sync against the sandbox.",
    subcommands = {BenchCommand.Queue.class, BenchCommand.Sync.class, BenchCommand.Leads.class, BenchCommand.Webhooks.class,
        BenchCommand.PipelineBench.class, BenchCommand.Actions.class})
public final class BenchCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  static Path home() {
    String home = System.getenv("SLUICE_HOME");
    return Path.of(home == null || home.isBlank() ? ".sluice" : home).toAbsolutePath();
  }

  static String databaseUrl(String option) {
    return option != null && !option.isBlank() ? option : System.getenv(PostgresSource.DATABASE_URL_ENV);
  }

  /**
   * Runs {@code body} with System.out pointing at stderr, so that a library printing to stdout
   * cannot break the one JSON object the caller pipes into another tool; returns the real stdout.
   */
  static <T> T withStdoutOnStderr(Callable<T> body) throws Exception {
    PrintStream out = System.out;
    System.setOut(System.err);
    try {
      return body.call();
    } finally {
      System.setOut(out);
    }
  }

  @Command(name = "queue", mixinStandardHelpOptions = true,
      description = "Throughput, pickup latency and deep-queue throughput of Sluice's queue, side by side with "
          + "graphile-worker 0.18 (batched and unbatched) and a one-job-per-claim loop on the same PostgreSQL.")
  static final class Queue implements Callable<Integer> {
    @Option(names = "--jobs", paramLabel = "N", description = "no-op jobs per throughput run (default ${DEFAULT-VALUE})")
    int jobs = QueueBenchOptions.DEFAULT_JOBS;

    @Option(names = "--runs", paramLabel = "N", description = "alternating runs per contender; medians are reported (default ${DEFAULT-VALUE})")
    int runs = QueueBenchOptions.DEFAULT_RUNS;

    @Option(names = "--workers", paramLabel = "N", description = "Sluice worker concurrency (default ${DEFAULT-VALUE})")
    int workers = QueueBenchOptions.DEFAULT_WORKERS;

    @Option(names = "--claim-batch", paramLabel = "N", description = "jobs per Sluice claim at most (default ${DEFAULT-VALUE})")
    int claimBatch = QueueBenchOptions.DEFAULT_CLAIM_BATCH;

    @Option(names = "--loop-workers", paramLabel = "N", description = "threads of the one-job loop (default ${DEFAULT-VALUE})")
    int loopWorkers = QueueBenchOptions.DEFAULT_LOOP_WORKERS;

    @Option(names = "--deep-backlog", paramLabel = "N", description = "ready jobs waiting behind the measured ones in the deep run (default ${DEFAULT-VALUE})")
    int deepBacklog = QueueBenchOptions.DEFAULT_DEEP_BACKLOG;

    @Option(names = "--pickup-samples", paramLabel = "N", description = "jobs enqueued one at a time for the pickup latency (default ${DEFAULT-VALUE})")
    int pickupSamples = QueueBenchOptions.DEFAULT_PICKUP_SAMPLES;

    @Option(names = "--pickup-gap-ms", paramLabel = "MS", description = "pause between pickup samples (default ${DEFAULT-VALUE})")
    long pickupGapMs = QueueBenchOptions.DEFAULT_PICKUP_GAP.toMillis();

    @Option(names = "--skip-peers", description = "measure Sluice alone")
    boolean skipPeers;

    @Option(names = "--skip-deep", description = "leave out the deep-queue run")
    boolean skipDeep;

    @Option(names = "--skip-loop", description = "leave out the one-job loop")
    boolean skipLoop;

    @Option(names = "--skip-pickup", description = "leave out the pickup-latency measurements")
    boolean skipPickup;

    @Option(names = "--no-finished-rows", description = "Sluice's bench kind keeps no job_finished row per job (KindPolicy.keepFinished(false))")
    boolean noFinishedRows;

    @Option(names = "--unbatched", description = "also run graphile-worker with its default, unbatched settings (slow: minutes per run)")
    boolean unbatched;

    @Option(names = "--database-url", paramLabel = "URL",
        description = "PostgreSQL to run on (a fresh database per contender and run is created there); default $SLUICE_DATABASE_URL, else the embedded server")
    String databaseUrl;

    @Option(names = "--synchronous-commit", paramLabel = "on|off",
        description = "set synchronous_commit on every bench database (default: the server's own setting; the embedded server's is on)")
    String synchronousCommit;

    @Option(names = "--json", description = "print one JSON object on stdout instead of the table")
    boolean json;

    @Override
    public Integer call() throws Exception {
      LogLevels.quiet();
      QueueBenchOptions options = new QueueBenchOptions(jobs, runs, workers, claimBatch, loopWorkers, deepBacklog,
          pickupSamples, Duration.ofMillis(pickupGapMs), skipPeers, skipDeep, skipLoop, skipPickup, noFinishedRows, unbatched, databaseUrl(databaseUrl), synchronousCommit, home());
      PrintStream out = System.out;
      QueueBenchReport report = withStdoutOnStderr(
          () -> new QueueBenchmark(options, line -> System.err.println("bench: " + line)).run());
      out.println(json ? report.toJson() : report.toTable());
      out.flush();
      return report.jobsPerSec().isPresent() ? 0 : 1;
    }
  }

  @Command(name = "webhooks", mixinStandardHelpOptions = true,
      description = "Signed HubSpot webhook batches of 1..100 events from concurrent clients against a child 'sluice serve' "
          + "on the bench PostgreSQL: group commit against one transaction per request (same run), then the ack "
          + "latency at a fixed rate; every event acknowledged is checked stored exactly once.")
  static final class Webhooks implements Callable<Integer> {
    @Option(names = "--requests", paramLabel = "N", description = "requests per server in the throughput phase (default ${DEFAULT-VALUE})")
    int requests = dev.sluice.bench.WebhookBenchOptions.DEFAULT_REQUESTS;

    @Option(names = "--clients", paramLabel = "N", description = "concurrent senders; also the most in flight at the paced rate (default ${DEFAULT-VALUE})")
    int clients = dev.sluice.bench.WebhookBenchOptions.DEFAULT_CLIENTS;

    @Option(names = "--rate", paramLabel = "N", description = "requests per second of the latency phase (default ${DEFAULT-VALUE})")
    int rate = dev.sluice.bench.WebhookBenchOptions.DEFAULT_PACED_RATE;

    @Option(names = "--seconds", paramLabel = "N", description = "length of the latency phase (default ${DEFAULT-VALUE})")
    int seconds = dev.sluice.bench.WebhookBenchOptions.DEFAULT_PACED_SECONDS;

    @Option(names = "--max-events", paramLabel = "N", description = "events per request are 1..N (default ${DEFAULT-VALUE})")
    int maxEvents = dev.sluice.bench.WebhookBenchOptions.DEFAULT_MAX_EVENTS;

    @Option(names = "--runs", paramLabel = "N", description = "runs of both servers, alternating; medians are reported (default ${DEFAULT-VALUE})")
    int runs = dev.sluice.bench.WebhookBenchOptions.DEFAULT_RUNS;

    @Option(names = "--serve-jar", paramLabel = "JAR",
        description = "run the child servers from this sluice.jar (e.g. the previous build) instead of this one: compares builds under the same client")
    java.nio.file.Path serveJar;

    @Option(names = "--database-url", paramLabel = "URL",
        description = "PostgreSQL to run on (fresh databases are created there); default $SLUICE_DATABASE_URL, else the embedded bench server")
    String databaseUrl;

    @Option(names = "--json", description = "print one JSON object on stdout instead of the table")
    boolean json;

    @Override
    public Integer call() throws Exception {
      LogLevels.quiet();
      dev.sluice.bench.WebhookBenchOptions options = new dev.sluice.bench.WebhookBenchOptions(requests, clients, rate, seconds, maxEvents, runs,
          serveJar == null ? dev.sluice.bench.SluiceLauncher.forMainClass(SluiceCommand.class)
              : java.util.List.of(ProcessHandle.current().info().command().orElse("java"), "-jar", serveJar.toAbsolutePath().toString()),
          databaseUrl(databaseUrl), home());
      PrintStream out = System.out;
      dev.sluice.bench.WebhookBenchReport report = withStdoutOnStderr(
          () -> new dev.sluice.bench.WebhookBenchmark(options, line -> System.err.println("bench: " + line)).run());
      out.println(json ? report.toJson() : report.toTable());
      out.flush();
      return report.lost() == 0 && report.duplicates() == 0 ? 0 : 1;
    }
  }

  @Command(name = "sync", mixinStandardHelpOptions = true,
      description = "A full contacts sync from the HubSpot sandbox at Professional limits into a fresh database, "
          + "against the ceiling those limits allow; then the mirror is checked record by record.")
  static final class Sync implements Callable<Integer> {
    @Option(names = "--contacts", paramLabel = "N", description = "contacts in the sandbox portal (default ${DEFAULT-VALUE})")
    int contacts = SyncBenchOptions.DEFAULT_CONTACTS;

    @Option(names = "--workers", paramLabel = "N", description = "worker concurrency (default ${DEFAULT-VALUE})")
    int workers = SyncBenchOptions.DEFAULT_WORKERS;

    @Option(names = "--database-url", paramLabel = "URL",
        description = "PostgreSQL to sync into (a fresh database is created there); default $SLUICE_DATABASE_URL, else the embedded server")
    String databaseUrl;

    @Option(names = "--sandbox", paramLabel = "child|in-process", defaultValue = "child",
        description = "where the HubSpot sandbox runs: a child JVM started from this jar, so peak_rss_mb is Sluice's own "
            + "and sandbox_peak_rss_mb the sandbox's (default), or in-process (this JVM holds both)")
    String sandbox;

    @Option(names = "--json", description = "print one JSON object on stdout instead of the table")
    boolean json;

    @Override
    public Integer call() throws Exception {
      LogLevels.quiet();
      java.util.List<String> sandboxCommand = sandboxCommand(sandbox);
      SyncBenchOptions options = new SyncBenchOptions(contacts, workers, databaseUrl(databaseUrl), home(), sandboxCommand);
      PrintStream out = System.out;
      SyncBenchReport report = withStdoutOnStderr(
          () -> new SyncBenchmark(options, line -> System.err.println("bench: " + line)).run());
      out.println(json ? report.toJson() : report.toTable());
      out.flush();
      return "completed".equals(report.status()) && report.lost() == 0 && report.duplicates() == 0 ? 0 : 1;
    }
  }

  @Command(name = "pipeline", mixinStandardHelpOptions = true,
      description = "Mirror contacts pushed by the pipeline engine through mappings to the sandbox Salesforce, then to the sandbox "
          + "Mailchimp, each against the ceiling its real limits allow (the same records written by a bare client at the "
          + "destination's concurrency limit); both read back (lost, duplicates).")
  static final class PipelineBench implements Callable<Integer> {
    @Option(names = "--records", paramLabel = "N", description = "mirror contacts to push (default ${DEFAULT-VALUE})")
    int records = dev.sluice.bench.PipelineBenchOptions.DEFAULT_RECORDS;

    @Option(names = "--workers", paramLabel = "N", description = "worker concurrency (default ${DEFAULT-VALUE})")
    int workers = dev.sluice.bench.PipelineBenchOptions.DEFAULT_WORKERS;

    @Option(names = "--database-url", paramLabel = "URL",
        description = "PostgreSQL to use (a fresh database is created there); default $SLUICE_DATABASE_URL, else the embedded server")
    String databaseUrl;

    @Option(names = "--sandbox", paramLabel = "child|in-process", defaultValue = "child",
        description = "where the sandbox runs: a child JVM started from this jar (default), or in-process")
    String sandbox;

    @Option(names = "--json", description = "print one JSON object on stdout instead of the table")
    boolean json;

    @Override
    public Integer call() throws Exception {
      LogLevels.quiet();
      java.util.List<String> sandboxCommand = sandboxCommand(sandbox);
      dev.sluice.bench.PipelineBenchOptions options = new dev.sluice.bench.PipelineBenchOptions(records, workers,
          databaseUrl(databaseUrl), home(), sandboxCommand);
      PrintStream out = System.out;
      dev.sluice.bench.PipelineBenchReport report = withStdoutOnStderr(
          () -> new dev.sluice.bench.PipelineBenchmark(options, line -> System.err.println("bench: " + line)).run());
      out.println(json ? report.toJson() : report.toTable());
      out.flush();
      return "completed".equals(report.status()) && report.lostTotal() == 0 && report.duplicatesTotal() == 0 ? 0 : 1;
    }
  }

  @Command(name = "leads", mixinStandardHelpOptions = true,
      description = "Lead intake against sluice serve (child process, embedded PostgreSQL) and the sandbox HubSpot at "
          + "Professional limits: group commit vs one INSERT transaction per request, ack latency at a fixed rate, "
          + "drain records/s against the CRM's ceiling, and every acknowledged lead checked in the CRM.")
  static final class Leads implements Callable<Integer> {
    @Option(names = "--clients", paramLabel = "N", description = "concurrent clients of the throughput phases (default ${DEFAULT-VALUE})")
    int clients = dev.sluice.bench.LeadBenchOptions.DEFAULT_CLIENTS;

    @Option(names = "--seconds", paramLabel = "S", description = "length of each throughput phase (default ${DEFAULT-VALUE})")
    int seconds = (int) dev.sluice.bench.LeadBenchOptions.DEFAULT_PHASE.toSeconds();

    @Option(names = "--rate", paramLabel = "N", description = "leads per second of the latency phase (default ${DEFAULT-VALUE})")
    int rate = dev.sluice.bench.LeadBenchOptions.DEFAULT_RATE;

    @Option(names = "--latency-seconds", paramLabel = "S", description = "length of the latency phase (default ${DEFAULT-VALUE})")
    int latencySeconds = (int) dev.sluice.bench.LeadBenchOptions.DEFAULT_LATENCY_PHASE.toSeconds();

    @Option(names = "--drainers", paramLabel = "N", description = "lead drainers per connection in the child serve (default: serve's own)")
    int drainers;

    @Option(names = "--json", description = "print one JSON object on stdout instead of the table")
    boolean json;

    @Override
    public Integer call() throws Exception {
      LogLevels.quiet();
      dev.sluice.bench.LeadBenchOptions options = new dev.sluice.bench.LeadBenchOptions(clients, Duration.ofSeconds(seconds), rate,
          Duration.ofSeconds(latencySeconds), dev.sluice.bench.SluiceLauncher.forMainClass(SluiceCommand.class), home(), drainers);
      PrintStream out = System.out;
      dev.sluice.bench.LeadBenchReport report = withStdoutOnStderr(
          () -> new dev.sluice.bench.LeadBenchmark(options, line -> System.err.println("bench: " + line)).run());
      if (json) System.err.print(report.toTable());
      out.println(json ? report.toJson() : report.toTable());
      out.flush();
      return report.lost() == 0 && report.crmDuplicates() == 0 ? 0 : 1;
    }
  }

  /** How to start the bench's sandbox: a child JVM from this jar ({@code child}), or null for {@code in-process}. */
  static java.util.List<String> sandboxCommand(String sandbox) {
    return switch (sandbox.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "child", "child-process" -> dev.sluice.bench.SluiceLauncher.forMainClass(SluiceCommand.class);
      case "in-process" -> null;
      default -> throw new IllegalArgumentException("--sandbox must be child or in-process, got " + sandbox);
    };
  }

  @Command(name = "actions", mixinStandardHelpOptions = true,
      description = "A sync at a connection's rate limit and a rule's actions on the same PostgreSQL buckets: how long an action "
          + "waits for its permit (at most one window) and what share of the rest the sync still uses.")
  static final class Actions implements Callable<Integer> {
    @Option(names = "--limit", paramLabel = "N", description = "permits per window of the shared bucket (default ${DEFAULT-VALUE})")
    int limit = dev.sluice.bench.ActionBenchmark.Options.DEFAULT_LIMIT;

    @Option(names = "--window-ms", paramLabel = "MS", description = "the bucket's rolling window, above 2000 (default ${DEFAULT-VALUE})")
    long windowMs = dev.sluice.bench.ActionBenchmark.Options.DEFAULT_WINDOW_MS;

    @Option(names = "--seconds", paramLabel = "N", description = "length of the run (default ${DEFAULT-VALUE})")
    int seconds = dev.sluice.bench.ActionBenchmark.Options.DEFAULT_SECONDS;

    @Option(names = "--action-every-ms", paramLabel = "MS", description = "one action per this many ms (default ${DEFAULT-VALUE})")
    long actionEveryMs = dev.sluice.bench.ActionBenchmark.Options.DEFAULT_ACTION_EVERY_MS;

    @Option(names = "--sync-threads", paramLabel = "N", description = "threads taking permits for the sync (default ${DEFAULT-VALUE})")
    int syncThreads = dev.sluice.bench.ActionBenchmark.Options.DEFAULT_SYNC_THREADS;

    @Option(names = "--no-priority", description = "the control: actions take permits as the sync does")
    boolean noPriority;

    @Option(names = "--database-url", paramLabel = "URL",
        description = "PostgreSQL to use (a fresh database is created there); default $SLUICE_DATABASE_URL, else the embedded server")
    String databaseUrl;

    @Option(names = "--json", description = "print one JSON object on stdout instead of the table")
    boolean json;

    @Override
    public Integer call() throws Exception {
      LogLevels.quiet();
      dev.sluice.bench.ActionBenchmark.Options options = new dev.sluice.bench.ActionBenchmark.Options(limit, Duration.ofMillis(windowMs),
          Duration.ofSeconds(seconds), Duration.ofMillis(actionEveryMs), syncThreads, !noPriority, databaseUrl(databaseUrl), home());
      PrintStream out = System.out;
      dev.sluice.bench.ActionBenchmark.Report report = withStdoutOnStderr(
          () -> new dev.sluice.bench.ActionBenchmark(options, line -> System.err.println("bench: " + line)).run());
      out.println(json ? report.toJson() : report.toTable());
      out.flush();
      return noPriority || report.holds() ? 0 : 1;
    }
  }
}
