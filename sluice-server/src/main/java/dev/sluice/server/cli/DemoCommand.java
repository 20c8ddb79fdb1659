package dev.sluice.server.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sluice demo}: the main job end to end ({@link SyncDemo}, its pipeline step {@link PipelineDemo}); {@code --queue-only} runs the
 * queue throughput demo instead ({@link QueueDemo}).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Embedded PostgreSQL, a sandbox HubSpot portal at Professional limits, the HTTP API and workers:",
        "a full sync with live progress, changes made in the sandbox, an incremental sync that must pick up exactly",
        "those, a check of the mirror against the sandbox, a burst of lead form posts drained into the CRM at its limit,",
        "webhooks keeping the mirror fresh, pipelines pushing contacts to a sandbox Salesforce and Mailchimp through mapping",
        "files with an edit in Salesforce flowing back to HubSpot once, deal-stage webhooks (duplicated and retried) firing",
        "a live rule (one Slack message and one HubSpot task per deal) beside a shadowed one (requests recorded, never sent),",
        "and a summary. Exit code 0 when every check passed.",
        "--queue-only instead enqueues --jobs no-op jobs and works them off (queue throughput)."})
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--contacts", defaultValue = "20000", description = "contacts in the sandbox portal (default: ${DEFAULT-VALUE})")
  int contacts;

  @Option(names = "--companies", defaultValue = "5000", description = "companies (default: ${DEFAULT-VALUE})")
  int companies;

  @Option(names = "--deals", defaultValue = "8000", description = "deals (default: ${DEFAULT-VALUE})")
  int deals;

  @Option(names = "--tickets", defaultValue = "2000", description = "tickets (default: ${DEFAULT-VALUE})")
  int tickets;

  @Option(names = "--leads", defaultValue = "3000", description = "lead form posts of the lead step (default: ${DEFAULT-VALUE})")
  int leads;

  @Option(names = "--port", defaultValue = "0", description = "port of the HTTP API (default: a free one)")
  int port;

  @Option(names = "--keep-running", description = "leave the server, the sandbox and the database up until Ctrl-C")
  boolean keepRunning;

  @Option(names = "--concurrency", description = "handlers at once (default: 8 for the sync demo, 32 for --queue-only)")
  Integer concurrency;

  @Option(names = "--queue-only", description = "run the queue throughput demo instead of the sync demo")
  boolean queueOnly;

  @Option(names = "--jobs", defaultValue = "100000", description = "--queue-only: how many jobs (default: ${DEFAULT-VALUE})")
  int jobs;

  @Option(names = "--claim-batch", defaultValue = "500", description = "--queue-only: jobs per claim (default: ${DEFAULT-VALUE})")
  int claimBatch;

  @Override
  public Integer call() throws Exception {
    if (queueOnly) {
      return new QueueDemo(jobs, concurrency == null ? QueueDemo.DEFAULT_CONCURRENCY : concurrency, claimBatch).call();
    }
    for (int[] size : new int[][] {{contacts}, {companies}, {deals}, {tickets}}) {
      if (size[0] < 0 || size[0] > 5_000_000) throw new IllegalArgumentException("record counts must be between 0 and 5000000, got " + size[0]);
    }
    if (port < 0 || port > 65535) throw new IllegalArgumentException("--port must be between 0 and 65535, got " + port);
    int workers = concurrency == null ? 8 : concurrency;
    if (workers < 1 || workers > 256) throw new IllegalArgumentException("--concurrency must be between 1 and 256, got " + workers);
    LogLevels.quiet();
    Path home = Path.of(System.getenv().getOrDefault("SLUICE_HOME", ".sluice"));
    return new SyncDemo(new SyncDemo.Options(contacts, companies, deals, tickets, workers, port, keepRunning, home, leads), System.out).run();
  }
}
