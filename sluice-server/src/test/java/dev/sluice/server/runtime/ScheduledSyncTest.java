package dev.sluice.server.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.connectors.SyncMode;
import dev.sluice.postgres.TestDatabase;
import dev.sluice.queue.cron.CronSchedule;
import dev.sluice.sandbox.ManualClock;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import dev.sluice.sandbox.hubspot.HubSpotOptions;
import dev.sluice.server.config.SluiceConfig;
import dev.sluice.sync.RunFilter;
import dev.sluice.sync.SyncEngine;
import dev.sluice.sync.SyncRun;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code cron:} on a connection: the schedule is stored, fires an incremental run, and is dropped with
 * the config key; the stalled-stream sweep is scheduled either way.
 */
class ScheduledSyncTest {
  static TestDatabase db;
  static Sandbox sandbox;

  @BeforeAll
  static void start() {
    db = TestDatabase.create("server_cron");
    sandbox = Sandbox.builder().hubspot(HubSpotOptions.defaults()).start();
    for (int i = 0; i < 30; i++) {
      sandbox.hubspot().createRecord(HubSpotObjectType.CONTACTS, Map.of("email", "s" + i + "@example.com"));
    }
  }

  @AfterAll
  static void stop() {
    if (sandbox != null) sandbox.close();
    if (db != null) db.close();
  }

  private static SluiceConfig config(String cronLine) {
    return SluiceConfig.parse("""
        connections:
          crm:
            platform: hubspot
            base_url: %s
            token: ${HUBSPOT_TOKEN}
            objects: [contacts]
        %s
        """.formatted(sandbox.baseUrl(), cronLine), Map.of("HUBSPOT_TOKEN", sandbox.hubspot().token()));
  }

  @Test
  void aCronConnectionGetsAScheduledIncrementalRun() {
    // Start just after a 5-minute boundary so the next tick is ~5 minutes ahead of the manual clock.
    Instant start = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.HOURS).plusSeconds(61);
    ManualClock clock = new ManualClock(start);
    try (SluiceRuntime runtime = SluiceRuntime.on(config("    cron: \"*/5 * * * *\""), db.dataSource(), clock)) {
      runtime.startWorkers(2);
      List<CronSchedule> schedules = runtime.cron().list();
      // the stalled-stream sweep is scheduled by every process that runs workers (serve, worker)
      assertThat(schedules).extracting(CronSchedule::name).contains("sync:crm", SyncEngine.SWEEP_SCHEDULE);
      assertThat(runtime.engine().list(RunFilter.all().withConnection("crm"))).isEmpty();

      clock.advance(Duration.ofMinutes(5));
      runtime.cron().tick(clock.instant());
      SyncRun run = await().atMost(Duration.ofSeconds(60)).until(
          () -> runtime.engine().list(RunFilter.all().withConnection("crm")), runs -> !runs.isEmpty()).get(0);
      assertThat(run.mode()).isEqualTo(SyncMode.INCREMENTAL);
      assertThat(run.objects()).containsExactly("contacts");
      // The run itself is the sync engine's business (and needs the clock to move for rate limits
      // and retries); this test is about the schedule, so stop it here.
      runtime.engine().cancel(run.id());
    }
    // The same database with the cron key removed: the stale schedule is dropped at start.
    try (SluiceRuntime runtime = SluiceRuntime.on(config(""), db.dataSource(), new ManualClock(start))) {
      runtime.startWorkers(1);
      assertThat(runtime.cron().list()).extracting(CronSchedule::name)
          .doesNotContain("sync:crm").contains(SyncEngine.SWEEP_SCHEDULE);
    }
  }
}
