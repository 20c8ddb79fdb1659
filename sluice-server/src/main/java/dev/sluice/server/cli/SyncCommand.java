package dev.sluice.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.SyncMode;
import dev.sluice.server.config.SluiceConfig;
import dev.sluice.server.http.RunJson;
import dev.sluice.server.runtime.SluiceRuntime;
import dev.sluice.sync.RunStatus;
import dev.sluice.sync.SyncRequest;
import dev.sluice.sync.SyncRun;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sluice sync run}: one sync run in this process, followed to its end. */
@Command(name = "sync", mixinStandardHelpOptions = true, description = "Sync runs from the command line.",
    subcommands = {SyncCommand.Run.class})
final class SyncCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(name = "run", mixinStandardHelpOptions = true,
      description = {"Runs one sync in this process to its end, with a progress bar on stderr.",
          "Exit code 0 only when the run completed; 1 when it failed, partially completed or was cancelled."})
  static final class Run implements Callable<Integer> {
    @Mixin ConfigOptions configOptions;

    @Option(names = "--connection", required = true, description = "connection name from sluice.yaml")
    String connection;

    @Option(names = "--objects", split = ",", description = "object types, comma-separated (default: the connection's objects)")
    List<String> objects;

    @Option(names = "--mode", defaultValue = "full", description = "full or incremental (default: ${DEFAULT-VALUE})")
    String mode;

    @Option(names = "--concurrency", description = "handlers run at once (default: workers.concurrency, else 8)")
    Integer concurrency;

    @Option(names = "--json", description = "print the finished run as JSON on stdout")
    boolean json;

    @Override
    public Integer call() throws Exception {
      SluiceConfig config = configOptions.load();
      ConnectionConfig c = config.connection(connection);
      List<String> chosen = objects == null || objects.isEmpty() ? c.objects() : objects;
      for (String o : chosen) {
        if (!c.objects().contains(o)) {
          throw new IllegalArgumentException("'" + o + "' is not an object of connection '" + connection + "' (one of "
              + String.join(", ", c.objects()) + ")");
        }
      }
      SyncMode syncMode = switch (mode.toLowerCase(java.util.Locale.ROOT)) {
        case "full" -> SyncMode.FULL;
        case "incremental" -> SyncMode.INCREMENTAL;
        default -> throw new IllegalArgumentException("--mode must be full or incremental, got '" + mode + "'");
      };
      LogLevels.quiet();
      int workers = concurrency != null ? concurrency : config.workers().concurrency();
      try (SluiceRuntime runtime = SluiceRuntime.open(config, System.getenv(), workers + 4)) {
        runtime.startWorkers(workers);
        SyncRun run = runtime.engine().trigger(new SyncRequest(connection, new ArrayList<>(chosen), syncMode));
        System.err.println("sluice: run " + run.id() + " (" + syncMode.name().toLowerCase(java.util.Locale.ROOT) + ", "
            + String.join(", ", run.objects()) + " of " + connection + ")");
        RunFollower follower = new RunFollower(runtime.engine(), RunProgress.onStderr());
        SyncRun done = follower.follow(run.id(), Map.of(), n -> n + " rate-limit snoozes");
        if (json) {
          ObjectMapper mapper = new ObjectMapper();
          System.out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(new RunJson(mapper).run(done)));
        } else {
          RunsCommand.printRun(done, System.out);
        }
        if (done.status() != RunStatus.COMPLETED) {
          System.err.println("sluice: run " + done.id() + " " + done.status().wire()
              + (done.lastError() == null ? "" : ": " + done.lastError()));
          return 1;
        }
        return 0;
      }
    }
  }
}
