package dev.sluice.server.cli;

import dev.sluice.server.config.ConfigException;
import dev.sluice.server.config.Secret;
import dev.sluice.server.config.SluiceConfig;
import dev.sluice.server.http.ApiServer;
import dev.sluice.server.http.ApiTokenPolicy;
import dev.sluice.server.runtime.SluiceRuntime;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sluice serve}: the HTTP API and the workers in one process, until stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Runs the HTTP API and the workers in one process (Ctrl-C or SIGTERM stops it gracefully).")
final class ServeCommand implements Callable<Integer> {
  @Mixin ConfigOptions configOptions;

  @Option(names = "--port", description = "port to listen on (default: server.port, else 8080; 0 picks a free one)")
  Integer port;

  @Option(names = "--host", description = "interface to bind (default: server.host, else 127.0.0.1 — loopback only; 0.0.0.0 for every interface)")
  String host;

  @Option(names = "--concurrency", description = "handlers run at once in this process (default: workers.concurrency, else 8)")
  Integer concurrency;

  @Override
  public Integer call() throws Exception {
    SluiceConfig config = configOptions.load();
    Secret token = config.server().apiToken().orElseThrow(() -> new ConfigException("server.api_token",
        "not set: export SLUICE_API_TOKEN=<a long random string> (or write api_token: ${SOME_VARIABLE} under server: in sluice.yaml); every /v1 call must send it as a bearer token"));
    String weak = ApiTokenPolicy.problem(token);
    if (weak != null) throw new ConfigException("server.api_token", "the API token (" + token.source() + ") " + weak);
    int workers = concurrency != null ? concurrency : config.workers().concurrency();
    SluiceRuntime runtime = SluiceRuntime.open(config, System.getenv(), workers + 8);
    ApiServer server;
    try {
      runtime.startWorkers(workers);
      server = ApiServer.start(new ApiServer.Settings(host != null ? host : config.server().host(),
          port != null ? port : config.server().port(), token, config.server().tls()), config, runtime.engine(), runtime.queue(), runtime.dataSource(), runtime.leads(),
          runtime.inbound(), runtime.pipelines());
    } catch (RuntimeException e) {
      runtime.close();
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      runtime.close();
      stopped.countDown();
    }, "sluice-shutdown"));
    System.out.println("sluice: serving the HTTP API on " + server.url() + " with " + workers + " workers ("
        + (runtime.database() != null && runtime.database().isEmbedded() ? "embedded PostgreSQL" : "PostgreSQL " + describeDb(runtime)) + ", "
        + config.connections().size() + " connection" + (config.connections().size() == 1 ? "" : "s") + "); Ctrl-C stops");
    System.out.flush();
    stopped.await();
    return 0;
  }

  static String describeDb(SluiceRuntime runtime) {
    // Query parameters may carry the password (jdbc:postgresql://h/db?user=u&password=p): never print them.
    return runtime.database() == null ? "" : runtime.database().displayUrl();
  }
}
