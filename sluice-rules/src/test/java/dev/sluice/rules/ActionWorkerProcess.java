package dev.sluice.rules;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.sluice.inbound.InboundEvents;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.JobWorker;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;

/**
 * A worker process for {@link ActionWorkerKillTest}: evaluates the stored webhook events against
 * {@link ActionsEndToEndTest#RULES} and runs their action jobs, on the test's database and sandbox,
 * until it is killed. Its queue rescues a dead worker's jobs after {@value #RESCUE_AFTER_SECONDS} s.
 * Prints {@code READY} once its worker polls.
 */
final class ActionWorkerProcess {
  static final int RESCUE_AFTER_SECONDS = 2;

  private ActionWorkerProcess() {}

  /** {@code jdbcUrl user sandboxUrl hubspotToken}. */
  public static void main(String[] args) throws Exception {
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(args[0]);
    hc.setUsername(args[1]);
    hc.setMaximumPoolSize(6);
    HikariDataSource pool = new HikariDataSource(hc);
    Clock clock = Clock.systemUTC();
    JobQueue queue = JobQueue.builder(pool).clock(clock).rescueAfter(Duration.ofSeconds(RESCUE_AFTER_SECONDS)).build();
    InboundEvents inbound = ActionsEndToEndTest.inbound(queue, clock);
    RulesEngine engine = ActionsEndToEndTest.engine(queue, clock, args[2], args[3]);
    JobWorker.Builder b = queue.worker().concurrency(3).pollInterval(Duration.ofMillis(50))
        .heartbeatInterval(Duration.ofMillis(200)).rescueInterval(Duration.ofMillis(500));
    inbound.onEvent(engine::evaluate);
    inbound.registerHandlers(b);
    engine.registerHandlers(b);
    b.start();
    System.out.println("READY");
    System.out.flush();
    Thread.currentThread().join(); // until killed
  }

  /** Starts {@link #main} in a child JVM and returns once it is ready; its output is drained in the background. */
  static Process start(String jdbcUrl, String user, String sandboxUrl, String hubspotToken) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        ActionWorkerProcess.class.getName(), jdbcUrl, user, sandboxUrl, hubspotToken);
    pb.redirectErrorStream(true);
    Process p = pb.start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder startup = new StringBuilder();
    String line;
    while ((line = out.readLine()) != null && !line.contains("READY")) startup.append(line).append('\n');
    if (line == null) throw new IllegalStateException("the worker process exited before it was ready:\n" + startup);
    Thread drain = new Thread(() -> {
      try {
        while (out.readLine() != null) {
          // keep the pipe from filling up
        }
      } catch (java.io.IOException ignored) {
        // the process died
      }
    }, "action-worker-output");
    drain.setDaemon(true);
    drain.start();
    return p;
  }
}
