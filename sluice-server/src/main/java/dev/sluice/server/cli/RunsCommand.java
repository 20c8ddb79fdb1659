package dev.sluice.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.sluice.server.config.SluiceConfig;
import dev.sluice.server.http.RunJson;
import dev.sluice.server.runtime.SluiceRuntime;
import dev.sluice.sync.RunFilter;
import dev.sluice.sync.RunStatus;
import dev.sluice.sync.StreamCounts;
import dev.sluice.sync.SyncRun;
import dev.sluice.sync.SyncStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice runs list|show}: sync runs read from the database. */
@Command(name = "runs", mixinStandardHelpOptions = true, description = "Lists and shows sync runs.",
    subcommands = {RunsCommand.ListRuns.class, RunsCommand.Show.class})
final class RunsCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists runs, newest first.")
  static final class ListRuns implements Callable<Integer> {
    @Mixin ConfigOptions configOptions;

    @Option(names = "--status", description = "only runs in this status (pending, processing, retrying, completed, partially_completed, failed, cancelled)")
    String status;

    @Option(names = "--connection", description = "only runs of this connection")
    String connection;

    @Option(names = "--limit", defaultValue = "20", description = "at most this many (default: ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
      RunFilter filter = RunFilter.all().withLimit(limit);
      if (status != null) filter = filter.withStatus(RunStatus.fromWire(status));
      if (connection != null) filter = filter.withConnection(connection);
      LogLevels.quiet();
      SluiceConfig config = configOptions.loadForReading();
      try (SluiceRuntime runtime = SluiceRuntime.open(config, System.getenv(), 2)) {
        List<SyncRun> runs = runtime.engine().list(filter);
        if (json) {
          ObjectMapper mapper = new ObjectMapper();
          RunJson wire = new RunJson(mapper);
          ArrayNode arr = mapper.createArrayNode();
          runs.forEach(r -> arr.add(wire.runSummary(r)));
          System.out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(arr));
          return 0;
        }
        if (runs.isEmpty()) {
          System.out.println("no runs");
          return 0;
        }
        System.out.printf(Locale.ROOT, "%-8s %-20s %-12s %-20s %10s %10s %10s  %s%n", "RUN", "CONNECTION", "MODE", "STATUS", "FETCHED", "CHANGED", "FAILED", "CREATED");
        for (SyncRun r : runs) {
          StreamCounts t = r.totals();
          System.out.printf(Locale.ROOT, "%-8d %-20s %-12s %-20s %10d %10d %10d  %s%n", r.id(), r.connection(),
              r.mode().name().toLowerCase(Locale.ROOT), r.status().wire(), t.fetched(), t.created() + t.updated(), t.failed(), r.createdAt());
        }
        return 0;
      }
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Shows one run: status, phase, counts per object, timings, last error.")
  static final class Show implements Callable<Integer> {
    @Mixin ConfigOptions configOptions;

    @Parameters(paramLabel = "ID", description = "the run id")
    long id;

    @Option(names = "--json", description = "print JSON (the same shape as GET /v1/sync-runs/{id})")
    boolean json;

    @Override
    public Integer call() throws Exception {
      LogLevels.quiet();
      SluiceConfig config = configOptions.loadForReading();
      try (SluiceRuntime runtime = SluiceRuntime.open(config, System.getenv(), 2)) {
        SyncRun run = runtime.engine().find(id).orElse(null);
        if (run == null) {
          System.err.println("sluice: no sync run " + id);
          return 1;
        }
        if (json) {
          ObjectMapper mapper = new ObjectMapper();
          System.out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(new RunJson(mapper).run(run)));
        } else {
          printRun(run, System.out);
        }
        return 0;
      }
    }
  }

  /** The human-readable form of a run used by {@code runs show} and {@code sync run}. */
  static void printRun(SyncRun r, PrintStream out) {
    out.println("run " + r.id() + "  " + r.connection() + "  " + r.mode().name().toLowerCase(Locale.ROOT) + "  " + r.status().wire());
    if (r.phase() != null) out.println("  phase:    " + r.phase() + (r.currentObject() == null ? "" : " (" + r.currentObject() + ")"));
    out.println("  created:  " + r.createdAt());
    if (r.startedAt() != null) out.println("  started:  " + r.startedAt());
    if (r.finishedAt() != null) {
      out.println("  finished: " + r.finishedAt()
          + (r.startedAt() == null ? "" : " (" + RunProgress.duration(Duration.between(r.startedAt(), r.finishedAt())) + ")"));
    }
    if (r.eta() != null && r.status().active()) out.println("  eta:      " + RunProgress.duration(r.eta()));
    out.println("  requests: " + r.requests());
    out.printf(Locale.ROOT, "  %-12s %-12s %8s %8s %8s %8s %9s %8s %7s%n", "OBJECT", "STATUS", "FETCHED", "CREATED", "UPDATED", "SAME", "ARCHIVED", "FAILED", "PAGES");
    for (SyncStream s : r.streams()) {
      StreamCounts c = s.counts();
      out.printf(Locale.ROOT, "  %-12s %-12s %8d %8d %8d %8d %9d %8d %7d%n", s.objectType(), s.status().wire(), c.fetched(), c.created(),
          c.updated(), c.unchanged(), c.archived(), c.failed(), s.pagesCommitted());
    }
    if (r.lastError() != null) out.println("  last error: " + r.lastError());
  }
}
