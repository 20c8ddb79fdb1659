package dev.sluice.connectors.mailchimp;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.ConnectorFactory;
import dev.sluice.connectors.DestinationConnector;
import dev.sluice.connectors.ErrorAction;
import dev.sluice.connectors.QueueRateLimitGate;
import dev.sluice.queue.ratelimit.RateLimits;
import dev.sluice.sandbox.FaultRule;
import dev.sluice.sandbox.mailchimp.MailchimpOptions;
import dev.sluice.sandbox.mailchimp.MailchimpSandbox;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Mailchimp's simultaneous-connection limit is a cap shared through PostgreSQL: this JVM and a
 * child JVM (two worker processes on one database) write with six threads each against slow
 * answers, and the sandbox never sees more requests in flight than the connection's cap, so no 429.
 */
class MailchimpConnectionCapTest {

  private static final AtomicReference<MailchimpSandbox> SANDBOX = new AtomicReference<>();
  private static final AtomicInteger MOST_IN_FLIGHT = new AtomicInteger();
  private static final int WRITERS = 6;
  private static final int MEMBERS_PER_WRITER = 3;
  private static MailchimpTestAudience audience;

  @BeforeAll
  static void start() {
    audience = new MailchimpTestAudience("conn_mccap", MailchimpOptions.builder().membersPerList(2)
        .inFlightHook(() -> {
          MailchimpSandbox s = SANDBOX.get();
          if (s != null) {
            MOST_IN_FLIGHT.accumulateAndGet(s.inFlightRequests(), Math::max);
          }
        }).build());
    SANDBOX.set(audience.mailchimp);
  }

  @AfterAll
  static void stop() {
    audience.close();
  }

  @Test
  void twoProcessesWithTwelveWritersStayWithinTheConnectionCap() throws Exception {
    audience.env.sandbox.faults().add(FaultRule.slow(Duration.ofMillis(80), 1.0).onPath("/3.0/lists/"));
    String apiBase = audience.env.sandbox.baseUrl() + MailchimpSandbox.API_PREFIX;
    String java = ProcessHandle.current().info().command().orElse("java");
    Process child = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        MailchimpConnectionCapTest.class.getName(), audience.env.db.jdbcUrl(), audience.env.db.user(), apiBase,
        audience.mailchimp.options().apiKey(), "child").redirectErrorStream(true).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = out.readLine()) != null && !line.contains("READY")) {
        // start-up logging
      }
      assertThat(line).as("the child process started").isNotNull();
      // both processes write from here on
      child.getOutputStream().write('\n');
      child.getOutputStream().flush();
      write(factory(audience.env.queue.dataSource(), audience.env.queue.schema()), config(apiBase, audience.mailchimp.options().apiKey()), "parent");
      StringBuilder rest = new StringBuilder();
      while ((line = out.readLine()) != null) {
        rest.append(line).append('\n');
      }
      assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).as("child output:\n%s", rest).isZero();
      assertThat(rest.toString()).contains("DONE");
    } finally {
      child.destroyForcibly();
      audience.env.sandbox.faults().clear();
    }
    assertThat(audience.mailchimp.tooManyRequestsCount()).as("429 answers").isZero();
    assertThat(MOST_IN_FLIGHT.get()).as("most requests in flight at once").isBetween(2, 3);
    assertThat(audience.members().stream().filter(m -> m.emailAddress().endsWith("@cap.test")).count())
        .isEqualTo(2L * WRITERS * MEMBERS_PER_WRITER);
  }

  static ConnectionConfig config(String apiBase, String apiKey) {
    return ConnectionConfig.builder("mailchimp-cap", "mailchimp").baseUrl(apiBase).token(apiKey, "MAILCHIMP_API_KEY")
        .setting("list_id", MailchimpTestAudience.LIST).setting("max_connections", "3").build();
  }

  static ConnectorFactory factory(javax.sql.DataSource ds, String schema) {
    return new ConnectorFactory(QueueRateLimitGate.of(new RateLimits(ds, schema, Clock.systemUTC())), Clock.systemUTC());
  }

  /** Six writers of one process, three members each, one member a batch; a full cap is snoozed and tried again. */
  static void write(ConnectorFactory f, ConnectionConfig config, String process) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < WRITERS; t++) {
        int writer = t;
        futures.add(pool.submit(() -> {
          try (DestinationConnector c = f.destination(config)) {
            for (int i = 0; i < MEMBERS_PER_WRITER; i++) {
              for (int attempt = 1; ; attempt++) {
                try {
                  // describing the audience (the first time) holds a slot too
                  var r = c.mapFields(MailchimpConnector.MEMBERS, "email_address",
                      Map.of("email_address", process + writer + "-" + i + "@cap.test"), null);
                  if (c.uploadBatch(MailchimpConnector.MEMBERS, List.of(r), null).failures() != 0) {
                    throw new AssertionError("a member failed");
                  }
                  break;
                } catch (ConnectorException e) {
                  // every slot busy for the gate's short wait: a job would snooze; here, try again
                  if (c.handleError(e, attempt).decision() != ErrorAction.Decision.SNOOZE || attempt > 500) {
                    throw e;
                  }
                }
              }
            }
          }
          return null;
        }));
      }
      for (Future<?> fu : futures) {
        fu.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** The child process: {@code jdbcUrl user apiBase apiKey name}; prints READY, waits for a line, writes, prints DONE. */
  public static void main(String[] args) throws Exception {
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(args[0]);
    hc.setUsername(args[1]);
    hc.setMaximumPoolSize(8);
    try (HikariDataSource pool = new HikariDataSource(hc)) {
      ConnectorFactory f = factory(pool, "sluice");
      f.destination(config(args[2], args[3])).close();
      System.out.println("READY");
      new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      write(f, config(args[2], args[3]), args[4]);
      System.out.println("DONE");
    }
    System.exit(0);
  }
}
