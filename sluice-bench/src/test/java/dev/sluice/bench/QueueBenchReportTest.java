package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueueBenchReportTest {
  private static final QueueBenchOptions OPTIONS = QueueBenchOptions.defaults(Path.of("/tmp/sluice-home"));

  private static ContenderResult contender(String name, double... jobsPerSec) {
    ContenderResult r = new ContenderResult(name, "settings of " + name);
    for (double v : jobsPerSec) r.addRun(new Throughput(100_000, Math.round(100_000 / v * 1e9)));
    return r;
  }

  private static QueueBenchReport report(ContenderResult sluice, ContenderResult deep, Map<String, ContenderResult> peers) {
    return new QueueBenchReport(OPTIONS, "external PostgreSQL 15", sluice, deep, null, peers,
        Instant.parse("2026-11-25T22:10:00Z"), Instant.parse("2026-11-25T22:14:30Z"), new double[] {1.5, 1.2, 0.9}, null);
  }

  @Test
  void jsonCarriesTheRequiredFieldsMediansAndRatios() throws Exception {
    ContenderResult sluice = contender("sluice", 90_000, 100_000, 110_000);
    sluice.addPickup(PickupLatency.of(new double[] {1, 2, 3, 4}));
    sluice.addPickup(PickupLatency.of(new double[] {2, 3, 4, 5}));
    sluice.addPickup(PickupLatency.of(new double[] {3, 4, 5, 6}));
    ContenderResult deep = contender("sluice_deep", 95_000, 92_000, 60_000);
    Map<String, ContenderResult> peers = new LinkedHashMap<>();
    peers.put("graphile_batched", contender("graphile_batched", 80_000, 70_000, 75_000));
    peers.put(OneJobLoopContender.NAME, contender(OneJobLoopContender.NAME, 10_000, 12_000, 11_000));

    JsonNode json = new ObjectMapper().readTree(report(sluice, deep, peers).toJson());

    assertThat(json.path("jobs").asInt()).isEqualTo(OPTIONS.jobs());
    assertThat(json.path("workers").asInt()).isEqualTo(OPTIONS.workers());
    assertThat(json.path("jobs_per_sec").asDouble()).isEqualTo(100_000.0);
    assertThat(json.path("pickup_p50_ms").asDouble()).isEqualTo(3.0);
    assertThat(json.path("pickup_p99_ms").asDouble()).isEqualTo(5.0);
    assertThat(json.path("jobs_per_sec_deep").asDouble()).isEqualTo(92_000.0);
    assertThat(json.path("deep_ratio").asDouble()).isEqualTo(0.92);
    assertThat(json.path("vs_graphile").asDouble()).isEqualTo(1.333);
    assertThat(json.path("vs_one_job_loop").asDouble()).isEqualTo(9.091);
    assertThat(json.path("peers").path("graphile_batched").path("jobs_per_sec").asDouble()).isEqualTo(75_000.0);
    assertThat(json.path("peers").path("graphile_batched").path("jobs_per_sec_runs")).hasSize(3);
    assertThat(json.path("peers").path(OneJobLoopContender.NAME).path("jobs_per_sec").asDouble()).isEqualTo(11_000.0);
    assertThat(json.path("targets").path("vs_graphile").path("met").asBoolean()).isTrue();
    assertThat(json.path("targets").path("pickup_p99_ms").path("met").asBoolean()).isTrue();
    assertThat(json.path("targets").path("deep_ratio").path("met").asBoolean()).isTrue();
    assertThat(json.path("machine").path("load_average_start")).hasSize(3);
    assertThat(json.path("seconds").asDouble()).isEqualTo(270.0);
  }

  @Test
  void theNotifyPickupsOfSluiceAreReportedBesideTheInProcessOnes() throws Exception {
    ContenderResult sluice = contender("sluice", 100_000);
    sluice.addPickup(PickupLatency.of(new double[] {1, 2, 3}));
    ContenderResult notify = new ContenderResult("sluice_notify", "pickup only");
    notify.addPickup(PickupLatency.of(new double[] {2, 3, 4}));
    QueueBenchReport report = new QueueBenchReport(OPTIONS, "external PostgreSQL 15", sluice, null, notify, Map.of(),
        Instant.parse("2026-11-25T22:10:00Z"), Instant.parse("2026-11-25T22:14:30Z"), null, null);

    JsonNode json = new ObjectMapper().readTree(report.toJson());

    assertThat(json.path("pickup_p99_ms").asDouble()).isEqualTo(3.0);
    assertThat(json.path("pickup_p99_ms_notify").asDouble()).isEqualTo(4.0);
    assertThat(json.path("sluice_notify").path("pickup_runs")).hasSize(1);
    assertThat(report.toTable()).contains("sluice_notify");
  }

  @Test
  void aSkippedPeerCarriesItsReasonAndLeavesItsRatioNull() throws Exception {
    Map<String, ContenderResult> peers = new LinkedHashMap<>();
    peers.put("graphile_batched", ContenderResult.skipped("graphile_batched", "npm is not available"));
    peers.put(OneJobLoopContender.NAME, contender(OneJobLoopContender.NAME, 50_000));

    QueueBenchReport report = report(contender("sluice", 60_000), null, peers);
    JsonNode json = new ObjectMapper().readTree(report.toJson());

    assertThat(json.path("peers").path("graphile_batched").path("skipped").asBoolean()).isTrue();
    assertThat(json.path("peers").path("graphile_batched").path("reason").asText()).isEqualTo("npm is not available");
    assertThat(json.path("vs_graphile").isNull()).isTrue();
    assertThat(json.path("targets").path("vs_graphile").path("met").isNull()).isTrue();
    assertThat(json.path("vs_one_job_loop").asDouble()).isEqualTo(1.2);
    assertThat(json.path("targets").path("vs_one_job_loop").path("met").asBoolean()).isFalse();
    assertThat(json.path("jobs_per_sec_deep").isNull()).isTrue();
    assertThat(json.path("pickup_p99_ms").isNull()).isTrue();
    assertThat(report.toTable()).contains("skipped", "npm is not available", "NOT met");
  }

  @Test
  void failedRunsAreReportedAndLeaveTheCompletedRunsMedian() throws Exception {
    ContenderResult sluice = contender("sluice", 80_000, 100_000);
    sluice.addFailure("sluice stalled at 5 of 100000 jobs");
    QueueBenchReport report = report(sluice, null, Map.of());
    JsonNode json = new ObjectMapper().readTree(report.toJson());

    assertThat(report.hadFailures()).isTrue();
    assertThat(json.path("jobs_per_sec").asDouble()).isEqualTo(90_000.0);
    assertThat(json.path("sluice").path("failures").get(0).asText()).contains("stalled");
    assertThat(report.toTable()).contains("FAILED");
  }
}
