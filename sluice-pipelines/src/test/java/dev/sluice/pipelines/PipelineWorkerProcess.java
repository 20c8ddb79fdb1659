package dev.sluice.pipelines;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.salesforce.SalesforceOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * A worker process for the chaos test: syncs and both two-way pipelines' batches, on the test's
 * database and sandbox, until it is killed. Prints {@code READY} once its worker polls.
 */
final class PipelineWorkerProcess {
  private PipelineWorkerProcess() {}

  /** {@code jdbcUrl user sandboxUrl hubspotToken batchSize}. */
  public static void main(String[] args) throws Exception {
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(args[0]);
    hc.setUsername(args[1]);
    hc.setMaximumPoolSize(8);
    HikariDataSource pool = new HikariDataSource(hc);
    PipelineFixture fx = new PipelineFixture(pool);
    fx.hubspot("hubspot-main", args[2], args[3]);
    fx.salesforce("salesforce-main", args[2], SalesforceOptions.DEFAULT_ACCESS_TOKEN);
    fx.pipelines(pool, TwoWayPipelineTest.pipelines(Integer.parseInt(args[4])));
    System.out.println("READY");
    System.out.flush();
    Thread.currentThread().join(); // until killed
  }

  /** Starts {@link #main} in a child JVM and returns once it is ready; its output is drained in the background. */
  static Process start(String jdbcUrl, String user, Sandbox sandbox, int batchSize) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        PipelineWorkerProcess.class.getName(), jdbcUrl, user, sandbox.baseUrl(), sandbox.hubspot().token(), String.valueOf(batchSize));
    pb.redirectErrorStream(true);
    Process p = pb.start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    StringBuilder startup = new StringBuilder();
    while ((line = out.readLine()) != null && !line.contains("READY")) {
      startup.append(line).append('\n');
    }
    if (line == null) {
      throw new IllegalStateException("the worker process exited before it was ready:\n" + startup);
    }
    Thread drain = new Thread(() -> {
      try {
        while (out.readLine() != null) {
          // keep the pipe from filling up
        }
      } catch (java.io.IOException ignored) {
        // the process died
      }
    });
    drain.setDaemon(true);
    drain.start();
    return p;
  }
}
