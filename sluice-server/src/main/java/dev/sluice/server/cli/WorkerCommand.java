package dev.sluice.server.cli;

import dev.sluice.server.config.SluiceConfig;
import dev.sluice.server.runtime.SluiceRuntime;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sluice worker}: workers only, sharing the queue with every other process on the database. */
@Command(name = "worker", mixinStandardHelpOptions = true,
    description = "Runs workers only (no HTTP API); start as many as you like against one database.")
final class WorkerCommand implements Callable<Integer> {
  @Mixin ConfigOptions configOptions;

  @Option(names = "--concurrency", description = "handlers run at once in this process (default: workers.concurrency, else 8)")
  Integer concurrency;

  @Override
  public Integer call() throws Exception {
    SluiceConfig config = configOptions.load();
    int workers = concurrency != null ? concurrency : config.workers().concurrency();
    SluiceRuntime runtime = SluiceRuntime.open(config, System.getenv(), workers + 4);
    try {
      runtime.startWorkers(workers);
    } catch (RuntimeException e) {
      runtime.close();
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      runtime.close();
      stopped.countDown();
    }, "sluice-shutdown"));
    System.out.println("sluice: worker running with " + workers + " handlers; Ctrl-C stops after the jobs in hand");
    System.out.flush();
    stopped.await();
    return 0;
  }
}
