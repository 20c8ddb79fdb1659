package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SyncBenchReportTest {
  @Test
  void onlyStandardCallsCountAgainstTheTenSecondWindow() {
    long window = SyncBenchmark.windowRequests(Map.of(
        "GET /crm/v3/objects/{objectType}", 2000L,
        "POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read", 2000L,
        "POST /crm/v3/objects/{objectType}/search", 30L,
        "GET /crm/v3/properties/{objectType}", 2L));
    assertThat(window).isEqualTo(2002L);
  }

  @Test
  void ceilingIsRecordsOverTheMinimumTimeTheWindowAllows() throws Exception {
    // 2,090 window requests of which 190 were 429s: 1,900 needed -> 100 s at 190 per 10 s
    SyncBenchReport r = new SyncBenchReport(200_000, 125.0, 4_100, 2_090, 190, 190, 0, 0, 300.0, 900.0, "child-process", "completed",
        "embedded", "professional", 8, null, null);
    assertThat(r.requestsNeeded()).isEqualTo(1_900);
    assertThat(r.minimumSeconds()).isEqualTo(100.0);
    assertThat(r.ceilingRecordsPerSec()).isEqualTo(2_000.0);
    assertThat(r.recordsPerSec()).isEqualTo(1_600.0);
    assertThat(r.ratio()).isEqualTo(0.8);

    JsonNode json = new ObjectMapper().readTree(r.toJson());
    for (String field : new String[] {"records", "seconds", "records_per_sec", "ceiling_records_per_sec", "ratio",
        "requests", "responses_429", "lost", "duplicates", "peak_rss_mb", "sandbox_peak_rss_mb", "sandbox"}) {
      assertThat(json.has(field)).as(field).isTrue();
    }
    assertThat(json.path("ratio").asDouble()).isEqualTo(0.8);
    assertThat(json.path("peak_rss_mb").asDouble()).isEqualTo(300.0);
    assertThat(json.path("sandbox_peak_rss_mb").asDouble()).isEqualTo(900.0);
    assertThat(json.path("sandbox").asText()).isEqualTo("child-process");
    assertThat(r.toTable()).contains("300 MB Sluice (this JVM), 900 MB sandbox (child process)");
    assertThat(json.path("targets").path("ratio_met").asBoolean()).isFalse();
    assertThat(json.path("targets").path("responses_429_met").asBoolean()).isFalse(); // 190 / 4100 > 0.5 %
    assertThat(json.path("targets").path("lost_and_duplicates_zero").asBoolean()).isTrue();
  }

  @Test
  void aSyncWithoutWindowRequestsHasNoCeilingAndStaysValidJson() throws Exception {
    SyncBenchReport r = new SyncBenchReport(10, 1.0, 0, 0, 0, 190, 0, 0, Double.NaN, Double.NaN, "in-process", "failed", "embedded", "professional", 8, null, null);
    JsonNode json = new ObjectMapper().readTree(r.toJson());
    assertThat(json.path("ceiling_records_per_sec").isNull()).isTrue();
    assertThat(json.path("peak_rss_mb").isNull()).isTrue();
    assertThat(json.path("sandbox_peak_rss_mb").isNull()).isTrue();
  }
}
