package dev.sluice.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.sluice.pipelines.Pipeline;
import dev.sluice.pipelines.PipelineEngine;
import dev.sluice.pipelines.PipelineRun;
import dev.sluice.pipelines.PipelineRunStatus;
import dev.sluice.pipelines.RecordResult;
import dev.sluice.server.config.SluiceConfig;
import dev.sluice.server.http.PipelineJson;
import dev.sluice.server.runtime.SluiceRuntime;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice pipelines list|run|runs|show|cancel|resume}: pipelines of the config and their runs. */
@Command(name = "pipelines", mixinStandardHelpOptions = true, description = "Lists pipelines, runs one, and shows their runs.",
    subcommands = {PipelinesCommand.ListPipelines.class, PipelinesCommand.Run.class, PipelinesCommand.Runs.class,
        PipelinesCommand.Show.class, PipelinesCommand.Cancel.class, PipelinesCommand.Resume.class})
final class PipelinesCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "The configured pipelines with their newest run.")
  static final class ListPipelines implements Callable<Integer> {
    @Mixin ConfigOptions configOptions;

    @Override
    public Integer call() {
      LogLevels.quiet();
      SluiceConfig config = configOptions.loadForReading();
      if (config.pipelines().isEmpty()) {
        System.out.println("no pipelines are configured (add a pipelines: section to sluice.yaml; see docs/pipelines.md)");
        return 0;
      }
      try (SluiceRuntime runtime = SluiceRuntime.open(config, System.getenv(), 2)) {
        System.out.printf(Locale.ROOT, "%-28s %-28s %-28s %-8s %-20s%n", "PIPELINE", "FROM", "TO", "LAST", "STATUS");
        for (Pipeline p : runtime.pipelines().pipelines()) {
          List<PipelineRun> last = runtime.pipelines().list(p.name(), null, 0, 1);
          System.out.printf(Locale.ROOT, "%-28s %-28s %-28s %-8s %-20s%n", p.name(), p.sourceConnection() + "/" + p.sourceObject(),
              p.destinationConnection() + "/" + p.destinationObject(), last.isEmpty() ? "-" : last.get(0).id(),
              last.isEmpty() ? "never run" : last.get(0).status().wire());
        }
        return 0;
      }
    }
  }

  @Command(name = "run", mixinStandardHelpOptions = true,
      description = {"Runs one pipeline in this process to its end: pushes the mirror records changed since its last push.",
          "Exit code 0 only when the run completed; 1 when it failed, partially completed or was cancelled."})
  static final class Run implements Callable<Integer> {
    @Mixin ConfigOptions configOptions;

    @Parameters(paramLabel = "PIPELINE", description = "pipeline name from sluice.yaml")
    String name;

    @Option(names = "--concurrency", description = "handlers run at once (default: workers.concurrency, else 8)")
    Integer concurrency;

    @Option(names = "--json", description = "print the finished run as JSON on stdout (as GET /v1/pipeline-runs/{id})")
    boolean json;

    @Override
    public Integer call() throws Exception {
      SluiceConfig config = configOptions.load();
      if (!config.pipelines().containsKey(name)) {
        throw new IllegalArgumentException("unknown pipeline '" + name + "'" + (config.pipelines().isEmpty()
            ? " (no pipelines are configured)" : " (configured: " + String.join(", ", config.pipelines().keySet()) + ")"));
      }
      LogLevels.quiet();
      int workers = concurrency != null ? concurrency : config.workers().concurrency();
      try (SluiceRuntime runtime = SluiceRuntime.open(config, System.getenv(), workers + 4)) {
        runtime.startWorkers(workers);
        PipelineRun run = runtime.pipelines().trigger(name, "cli");
        System.err.println("sluice: pipeline run " + run.id() + " (" + name + ")");
        PipelineRun done = awaitEnd(runtime.pipelines(), run.id());
        print(runtime.pipelines(), done, json);
        if (done.status() != PipelineRunStatus.COMPLETED) {
          System.err.println("sluice: pipeline run " + done.id() + " " + done.status().wire()
              + (done.lastError() == null ? "" : ": " + done.lastError()));
          return 1;
        }
        return 0;
      }
    }
  }

  @Command(name = "runs", mixinStandardHelpOptions = true, description = "Lists pipeline runs, newest first.")
  static final class Runs implements Callable<Integer> {
    @Mixin ConfigOptions configOptions;

    @Option(names = "--pipeline", description = "only runs of this pipeline")
    String pipeline;

    @Option(names = "--status", description = "only runs in this status (pending, processing, completed, partially_completed, failed, cancelled)")
    String status;

    @Option(names = "--limit", defaultValue = "20", description = "at most this many (default: ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
      PipelineRunStatus s = null;
      if (status != null) {
        try {
          s = PipelineRunStatus.valueOf(status.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("--status must be one of pending, processing, completed, partially_completed, failed, cancelled");
        }
      }
      LogLevels.quiet();
      try (SluiceRuntime runtime = SluiceRuntime.open(configOptions.loadForReading(), System.getenv(), 2)) {
        List<PipelineRun> runs = runtime.pipelines().list(pipeline, s, 0, limit);
        if (json) {
          ObjectMapper mapper = new ObjectMapper();
          PipelineJson wire = new PipelineJson(mapper);
          ArrayNode arr = mapper.createArrayNode();
          runs.forEach(r -> arr.add(wire.runSummary(r)));
          System.out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(arr));
          return 0;
        }
        if (runs.isEmpty()) {
          System.out.println("no pipeline runs");
          return 0;
        }
        System.out.printf(Locale.ROOT, "%-8s %-28s %-20s %9s %9s %9s %9s  %s%n", "RUN", "PIPELINE", "STATUS", "SELECTED", "SENT", "FAILED",
            "SKIPPED", "CREATED");
        for (PipelineRun r : runs) {
          System.out.printf(Locale.ROOT, "%-8d %-28s %-20s %9d %9d %9d %9d  %s%n", r.id(), r.pipeline(), r.status().wire(), r.selected(),
              r.synced(), r.failed(), r.skipped(), r.createdAt());
        }
        return 0;
      }
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Shows one pipeline run: status, counts by reason, and its per-record results.")
  static final class Show implements Callable<Integer> {
    @Mixin ConfigOptions configOptions;

    @Parameters(paramLabel = "ID", description = "the pipeline run id")
    long id;

    @Option(names = "--results", description = "list the results of this status (failed, skipped, synced)")
    String results;

    @Option(names = "--limit", defaultValue = "50", description = "at most this many results (default: ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--json", description = "print JSON (the same shape as GET /v1/pipeline-runs/{id})")
    boolean json;

    @Override
    public Integer call() throws Exception {
      if (results != null && !List.of("failed", "skipped", "synced").contains(results)) {
        throw new IllegalArgumentException("--results must be failed, skipped or synced, got '" + results + "'");
      }
      LogLevels.quiet();
      try (SluiceRuntime runtime = SluiceRuntime.open(configOptions.loadForReading(), System.getenv(), 2)) {
        PipelineRun run = runtime.pipelines().find(id).orElse(null);
        if (run == null) {
          System.err.println("sluice: no pipeline run " + id);
          return 1;
        }
        print(runtime.pipelines(), run, json);
        if (results != null && !json) {
          List<RecordResult> page = runtime.pipelines().results(id, results, null, limit);
          System.out.printf(Locale.ROOT, "  %-24s %-9s %-12s %-20s %s%n", "SOURCE", "STATUS", "REASON", "DESTINATION", "ERROR");
          for (RecordResult r : page) {
            System.out.printf(Locale.ROOT, "  %-24s %-9s %-12s %-20s %s%n", r.sourceId(), r.status(), r.reason() == null ? "" : r.reason(),
                r.destinationId() == null ? "" : r.destinationId(), r.error() == null ? "" : r.error());
          }
        }
        return 0;
      }
    }
  }

  @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancels a pending or processing pipeline run (the batch in flight commits nothing).")
  static final class Cancel implements Callable<Integer> {
    @Mixin ConfigOptions configOptions;

    @Parameters(paramLabel = "ID", description = "the pipeline run id")
    long id;

    @Override
    public Integer call() {
      LogLevels.quiet();
      try (SluiceRuntime runtime = SluiceRuntime.open(configOptions.loadForReading(), System.getenv(), 2)) {
        PipelineRun run = runtime.pipelines().find(id).orElse(null);
        if (run == null) {
          System.err.println("sluice: no pipeline run " + id);
          return 1;
        }
        if (!runtime.pipelines().cancel(id)) {
          System.err.println("sluice: pipeline run " + id + " is " + run.status().wire() + ": nothing to cancel");
          return 1;
        }
        System.out.println("pipeline run " + id + " cancelled");
        return 0;
      }
    }
  }

  @Command(name = "resume", mixinStandardHelpOptions = true,
      description = "Resumes a failed or cancelled pipeline run from its position (a running serve or worker process carries it on).")
  static final class Resume implements Callable<Integer> {
    @Mixin ConfigOptions configOptions;

    @Parameters(paramLabel = "ID", description = "the pipeline run id")
    long id;

    @Override
    public Integer call() {
      LogLevels.quiet();
      try (SluiceRuntime runtime = SluiceRuntime.open(configOptions.loadForReading(), System.getenv(), 2)) {
        PipelineRun run = runtime.pipelines().find(id).orElse(null);
        if (run == null) {
          System.err.println("sluice: no pipeline run " + id);
          return 1;
        }
        if (runtime.pipelines().resume(id).isEmpty()) {
          System.err.println("sluice: pipeline run " + id + " is " + run.status().wire() + ": only a failed or cancelled run can be resumed");
          return 1;
        }
        System.out.println("pipeline run " + id + " resumed from source id '" + run.position() + "' (generation " + (run.generation() + 1) + ")");
        return 0;
      }
    }
  }

  /** Waits, polling the run, until it is no longer pending or processing. */
  static PipelineRun awaitEnd(PipelineEngine engine, long id) throws InterruptedException {
    while (true) {
      PipelineRun run = engine.find(id).orElseThrow(() -> new IllegalStateException("pipeline run " + id + " disappeared"));
      if (!run.status().active()) return run;
      Thread.sleep(RunFollower.POLL_INTERVAL.toMillis());
    }
  }

  static void print(PipelineEngine engine, PipelineRun r, boolean json) throws Exception {
    if (json) {
      ObjectMapper mapper = new ObjectMapper();
      System.out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(new PipelineJson(mapper).run(r, engine.breakdown(r.id()))));
    } else {
      printRun(r, engine.breakdown(r.id()), System.out);
    }
  }

  /** The human-readable form of a pipeline run. */
  static void printRun(PipelineRun r, Map<String, Map<String, Long>> breakdown, PrintStream out) {
    out.println("pipeline run " + r.id() + "  " + r.pipeline() + "  " + r.status().wire() + "  (" + r.trigger() + ")");
    out.println("  created:  " + r.createdAt());
    if (r.startedAt() != null) out.println("  started:  " + r.startedAt());
    if (r.finishedAt() != null) {
      out.println("  finished: " + r.finishedAt()
          + (r.startedAt() == null ? "" : " (" + RunProgress.duration(Duration.between(r.startedAt(), r.finishedAt())) + ")"));
    }
    out.printf(Locale.ROOT, "  selected %d, sent %d, failed %d, skipped %d; %d write call%s in %d batch%s%n", r.selected(), r.synced(),
        r.failed(), r.skipped(), r.writeCalls(), r.writeCalls() == 1 ? "" : "s", r.batchesCommitted(), r.batchesCommitted() == 1 ? "" : "es");
    breakdown.forEach((status, reasons) -> reasons.forEach((reason, n) -> {
      if (!reason.isEmpty()) out.printf(Locale.ROOT, "  %-8s %-12s %d%n", status, reason, n);
    }));
    if (r.lastError() != null) out.println("  last error: " + r.lastError());
  }
}
