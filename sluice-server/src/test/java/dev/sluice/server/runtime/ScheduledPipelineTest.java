package dev.sluice.server.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.pipelines.PipelineRun;
import dev.sluice.postgres.TestDatabase;
import dev.sluice.queue.cron.CronSchedule;
import dev.sluice.sandbox.ManualClock;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.hubspot.HubSpotOptions;
import dev.sluice.server.config.SluiceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cron:} on a pipeline: the schedule is stored, a tick starts a run, and it is dropped with the config key. */
class ScheduledPipelineTest {
  @TempDir Path dir;

  SluiceConfig config(Sandbox sandbox, String cronLine) throws Exception {
    Files.writeString(dir.resolve("copy.yaml"), "fields:\n  email: {from: source.email, type: email, required: true}\n");
    Files.writeString(dir.resolve("sluice.yaml"), """
        connections:
          crm:
            platform: hubspot
            base_url: %s
            token: ${HUBSPOT_TOKEN}
            objects: [contacts]
          crm-copy:
            platform: hubspot
            base_url: %s
            token: ${HUBSPOT_TOKEN}
            objects: [contacts]
        pipelines:
          contacts-copy:
            from: crm/contacts
            to: crm-copy/contacts
            mapping: copy.yaml
        %s
        """.formatted(sandbox.baseUrl(), sandbox.baseUrl(), cronLine));
    return SluiceConfig.load(dir.resolve("sluice.yaml"), Map.of("HUBSPOT_TOKEN", sandbox.hubspot().token()));
  }

  @Test
  void aCronPipelineGetsAScheduledRunAndLosesItsScheduleWithTheKey() throws Exception {
    Instant start = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.HOURS).plusSeconds(61);
    try (TestDatabase db = TestDatabase.create("server_pipeline_cron");
         Sandbox sandbox = Sandbox.builder().hubspot(HubSpotOptions.defaults()).start()) {
      ManualClock clock = new ManualClock(start);
      try (SluiceRuntime runtime = SluiceRuntime.on(config(sandbox, "    cron: \"*/5 * * * *\""), db.dataSource(), clock)) {
        runtime.startWorkers(2);
        assertThat(runtime.cron().list()).extracting(CronSchedule::name).contains("pipeline:contacts-copy");
        assertThat(runtime.pipelines().list("contacts-copy", null, 0, 10)).isEmpty();

        clock.advance(Duration.ofMinutes(5));
        runtime.cron().tick(clock.instant());
        PipelineRun run = await().atMost(Duration.ofSeconds(60))
            .until(() -> runtime.pipelines().list("contacts-copy", null, 0, 10), runs -> !runs.isEmpty()).get(0);
        assertThat(run.trigger()).isEqualTo("cron");
        runtime.pipelines().cancel(run.id()); // the run is the engine's business; this test is about the schedule
      }
      try (SluiceRuntime runtime = SluiceRuntime.on(config(sandbox, ""), db.dataSource(), new ManualClock(start))) {
        runtime.startWorkers(1);
        assertThat(runtime.cron().list()).extracting(CronSchedule::name).doesNotContain("pipeline:contacts-copy");
      }
    }
  }
}
