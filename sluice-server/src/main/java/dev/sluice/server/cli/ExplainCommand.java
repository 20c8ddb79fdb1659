package dev.sluice.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.server.config.SluiceConfig;
import dev.sluice.server.http.RunJson;
import dev.sluice.server.runtime.SluiceRuntime;
import dev.sluice.sync.RecordHistory;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice explain record}: why a mirrored record looks the way it does. */
@Command(name = "explain", mixinStandardHelpOptions = true, description = "Answers 'why' questions from the event log.",
    subcommands = {ExplainCommand.Record.class, ExplainCommand.Event.class, ExplainCommand.Job.class})
final class ExplainCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(name = "record", mixinStandardHelpOptions = true,
      description = "Every run and page that created or changed a record, and what changed.")
  static final class Record implements Callable<Integer> {
    @Mixin ConfigOptions configOptions;

    @Parameters(index = "0", paramLabel = "CONNECTION") String connection;
    @Parameters(index = "1", paramLabel = "TYPE", description = "object type, e.g. contacts") String type;
    @Parameters(index = "2", paramLabel = "ID", description = "the platform's record id") String id;

    @Option(names = "--json", description = "print JSON (the same shape as GET /v1/records/{connection}/{type}/{id})")
    boolean json;

    @Option(names = "--after", paramLabel = "SEQ", description = "only changes after this event seq (the previous page's next)")
    long after;

    @Option(names = "--limit", paramLabel = "N", description = "most changes shown (1-1000, default 100)")
    int limit = 100;

    @Override
    public Integer call() throws Exception {
      LogLevels.quiet();
      SluiceConfig config = configOptions.loadForReading();
      try (SluiceRuntime runtime = SluiceRuntime.open(config, System.getenv(), 2)) {
        RecordHistory h = runtime.engine().explain(connection, type, id, after, limit);
        if (json) {
          ObjectMapper mapper = new ObjectMapper();
          System.out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(new RunJson(mapper).history(h)));
          return h.current().isPresent() ? 0 : 1;
        }
        if (h.current().isEmpty() && h.changes().isEmpty()) {
          System.out.println(type + " " + id + " of " + connection + " was never synced");
          return 1;
        }
        h.current().ifPresent(r -> {
          System.out.println(type + " " + id + " of " + connection + (r.archived() ? " (archived)" : ""));
          System.out.println("  first seen in run " + r.firstSeenRun() + ", last changed in run " + r.lastChangedRun()
              + ", synced " + r.syncedAt() + ", source updated " + r.sourceUpdatedAt());
          System.out.println("  properties: " + r.properties());
          System.out.println("  associations: " + r.associations());
        });
        System.out.println("  history (" + h.changes().size() + " change" + (h.changes().size() == 1 ? "" : "s") + "):");
        for (RecordHistory.Change c : h.changes()) {
          System.out.println("    " + c.at() + (c.fromWebhook() ? "  webhook event " + c.inboundEventId()
                  : "  run " + c.runId() + " (" + c.runMode() + ") page " + c.page()) + "  " + c.kind()
              + (c.changedProperties().isEmpty() ? "" : ": " + String.join(", ", c.changedProperties())));
        }
        if (h.nextAfter() != null) {
          System.out.println("  (more: --after " + h.nextAfter() + ")");
        }
        return 0;
      }
    }
  }

  /** Prints what {@code explain} answers from the decision log, or {@code missing} on stderr (exit 1). */
  static int report(ConfigOptions options, java.util.function.Function<dev.sluice.rules.RuleReports,
      java.util.Optional<java.util.List<String>>> explain, String missing) {
    LogLevels.quiet();
    try (SluiceRuntime runtime = SluiceRuntime.open(options.loadForReading(), System.getenv(), 2)) {
      java.util.Optional<java.util.List<String>> lines = explain.apply(new dev.sluice.rules.RuleReports(runtime.queue()));
      if (lines.isEmpty()) {
        System.err.println("sluice: " + missing);
        return 1;
      }
      lines.get().forEach(System.out::println);
      return 0;
    }
  }

  @Command(name = "event", mixinStandardHelpOptions = true,
      description = "Every rule's evaluation of a stored event: values read, the deciding sub-condition, jobs enqueued (and their states) or why none.")
  static final class Event implements Callable<Integer> {
    @Mixin ConfigOptions configOptions;
    @Parameters(index = "0", paramLabel = "ID", description = "the stored event's id (./sluice events list)") long id;

    @Override
    public Integer call() {
      return report(configOptions, r -> r.explainEvent(id), "no event " + id);
    }
  }

  @Command(name = "job", mixinStandardHelpOptions = true,
      description = "A job's state and the rule decision that enqueued it (the event, values read, why).")
  static final class Job implements Callable<Integer> {
    @Mixin ConfigOptions configOptions;
    @Parameters(index = "0", paramLabel = "ID", description = "the job's id") long id;

    @Override
    public Integer call() {
      return report(configOptions, r -> r.explainJob(id), "no job " + id + " (finished jobs are kept for a day, dead ones for a week)");
    }
  }
}
