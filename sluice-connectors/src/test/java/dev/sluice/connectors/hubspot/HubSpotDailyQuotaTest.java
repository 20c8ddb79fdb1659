package dev.sluice.connectors.hubspot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.ConnectorFactory;
import dev.sluice.connectors.QueueRateLimitGate;
import dev.sluice.connectors.RateLimitSpec;
import dev.sluice.queue.ratelimit.RateLimitSnapshot;
import dev.sluice.queue.ratelimit.RateLimits;
import dev.sluice.sandbox.hubspot.HubSpotDataGenerator;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import dev.sluice.sandbox.hubspot.HubSpotOptions;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 8 item 4: HubSpot's daily quota is a fixed window reset at the portal's midnight, and the
 * connector can spend all of it. A sandbox portal in New York with a day of 100,000 requests; the
 * shared buckets and the sandbox run on one manual clock (nothing sleeps), and the day's calls are
 * spread from the morning to the evening, past UTC midnight. 3,000 of them are real HTTP calls;
 * the others are counted on both sides without being sent.
 */
class HubSpotDailyQuotaTest {
  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
  private static final int DAY = 100_000;
  private static final int BATCHES = 100;
  /** Per batch: calls sent to the sandbox, and calls counted on both sides without being sent. */
  private static final int SENT = 30;
  private static final int COUNTED = DAY / BATCHES - SENT;
  private static HubSpotTestPortal portal;
  private static RateLimits buckets;
  private static ConnectorFactory factory;

  @BeforeAll
  static void start() {
    portal = new HubSpotTestPortal("conn_daily", HubSpotOptions.builder().customLimits(1_000_000, DAY).searchPerSecond(100_000)
        .portalTimeZone(NEW_YORK), new HubSpotDataGenerator.Spec(3, 20, 5, 0, 0, 0, 1, false));
    // The buckets on the sandbox's clock: a day passes in the test without anyone sleeping.
    buckets = new RateLimits(portal.queue.dataSource(), portal.queue.schema(), portal.clock);
    factory = new ConnectorFactory(QueueRateLimitGate.of(buckets), portal.clock);
  }

  @AfterAll
  static void stop() {
    portal.close();
  }

  private static Instant newYork(int day, int hour) {
    return ZonedDateTime.of(2026, 6, day, hour, 0, 0, 0, NEW_YORK).toInstant();
  }

  @Test
  void theWholeDayIsUsableAndComesBackAtThePortalsMidnight() throws Exception {
    ConnectionConfig config = portal.connection("hubspot-daily", List.of("contacts"))
        .limit("daily", RateLimitSpec.of(DAY, Duration.ofDays(1)))
        .dailyLimitZone(NEW_YORK)
        .build();
    String contact = portal.sandbox.hubspot().ids(HubSpotObjectType.CONTACTS).get(0);
    String company = portal.sandbox.hubspot().ids(HubSpotObjectType.COMPANIES).get(0);
    portal.clock.set(newYork(1, 8));
    long requestsBefore = portal.sandbox.counters().requests();
    try (HubSpotConnector c = factory.hubspot(config)) {
      for (int batch = 0; batch < BATCHES; batch++) {
        // Most of each batch is counted on both sides without being sent (the sandbox's count and
        // the shared bucket), so the day takes seconds; the rest are real calls whose answers carry
        // HubSpot's own count of the day.
        assertThat(buckets.tryAcquire("hubspot-daily:daily", COUNTED)).isEmpty();
        portal.sandbox.hubspot().countDailyCalls(portal.sandbox.hubspot().token(), COUNTED);
        // One call at a time: HubSpot's count then never trails calls in flight, so it is exact.
        for (int i = 0; i < SENT; i++) {
          c.associateDefault("contacts", contact, "companies", company);
        }
        // Never holding back what HubSpot says remains: the bucket holds exactly the rest of the day.
        RateLimitSnapshot daily = buckets.snapshot("hubspot-daily:daily");
        assertThat(daily.available()).as("after batch %d", batch).isEqualTo(DAY - (batch + 1) * (double) (COUNTED + SENT));
        portal.clock.advance(Duration.ofMinutes(8)); // 08:00 to 21:20 in New York
      }
      assertThat(portal.sandbox.counters().requests() - requestsBefore).isEqualTo(BATCHES * SENT);
      assertThat(portal.sandbox.counters().tooManyRequestsServed()).as("429s").isZero();

      // The day is spent: the next call waits for midnight in New York (04:00 UTC), asking nothing.
      Instant midnight = newYork(2, 0);
      assertThatThrownBy(() -> c.associateDefault("contacts", contact, "companies", company))
          .isInstanceOfSatisfying(ConnectorException.class, e -> {
            assertThat(e.kind()).isEqualTo(ConnectorException.Kind.RATE_LIMITED);
            assertThat(e.retryAfter()).isEqualTo(Duration.between(portal.clock.instant(), midnight));
          });
      assertThat(portal.sandbox.counters().requests() - requestsBefore).isEqualTo(BATCHES * SENT);
      assertThat(buckets.snapshot("hubspot-daily:daily").resetsAt()).isEqualTo(midnight);

      // UTC midnight (20:00 the evening before in New York) resets nothing; the portal's does.
      portal.clock.set(midnight);
      c.associateDefault("contacts", contact, "companies", company);
      assertThat(buckets.snapshot("hubspot-daily:daily").available()).isEqualTo(DAY - 1.0);
      assertThat(portal.sandbox.counters().tooManyRequestsServed()).isZero();
    }
  }
}
