package dev.sluice.connectors.mailchimp;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Mailchimp's simultaneous-connection limit is a cap shared through PostgreSQL: two connector
 * factories (two processes' worth of limiters on one database), twelve writers, slow answers, and
 * never more requests in flight at the sandbox than the connection's cap, so no 429.
 */
class MailchimpConnectionCapTest {

  private static final AtomicReference<MailchimpSandbox> SANDBOX = new AtomicReference<>();
  private static final AtomicInteger MOST_IN_FLIGHT = new AtomicInteger();
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
    ConnectionConfig config = audience.connection("mailchimp-cap").setting("max_connections", "3").build();
    List<ConnectorFactory> processes = List.of(factory(), factory());
    audience.env.sandbox.faults().add(FaultRule.slow(Duration.ofMillis(80), 1.0).onPath("/3.0/lists/"));
    AtomicInteger snoozes = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(12);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 12; t++) {
        ConnectorFactory f = processes.get(t % 2);
        int writer = t;
        futures.add(pool.submit(() -> {
          try (DestinationConnector c = f.destination(config)) {
            for (int i = 0; i < 3; i++) {
              for (int attempt = 1; ; attempt++) {
                try {
                  // describing the audience (the first time) holds a slot too
                  var r = c.mapFields(MailchimpConnector.MEMBERS, "email_address",
                      Map.of("email_address", "w" + writer + "-" + i + "@cap.test"), null);
                  assertThat(c.uploadBatch(MailchimpConnector.MEMBERS, List.of(r), null).failures()).isZero();
                  break;
                } catch (ConnectorException e) {
                  // every slot busy for the gate's short wait: the job would snooze; here, try again
                  assertThat(c.handleError(e, attempt).decision()).isEqualTo(ErrorAction.Decision.SNOOZE);
                  snoozes.incrementAndGet();
                  assertThat(attempt).isLessThan(200);
                }
              }
            }
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
      audience.env.sandbox.faults().clear();
    }
    assertThat(audience.mailchimp.tooManyRequestsCount()).as("429 answers").isZero();
    assertThat(MOST_IN_FLIGHT.get()).as("most requests in flight at once").isBetween(2, 3);
    assertThat(audience.members().stream().filter(m -> m.emailAddress().endsWith("@cap.test")).count()).isEqualTo(36);
  }

  private static ConnectorFactory factory() {
    RateLimits limits = new RateLimits(audience.env.queue.dataSource(), audience.env.queue.schema(), audience.env.queue.clock());
    return new ConnectorFactory(QueueRateLimitGate.of(limits), Clock.systemUTC());
  }
}
