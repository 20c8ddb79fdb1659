package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench pipeline} at a small size on the test PostgreSQL with the sandbox in this JVM: every
 * mirror contact reaches the sandbox Salesforce and the Mailchimp audience once, each run has its
 * ceiling measured by the bare client after both warmed up, and the report's keys follow (speed is not asserted: the
 * machine may be loaded).
 */
class PipelineBenchmarkTest {
  @TempDir Path home;

  @Test
  void pushesEveryRecordOnceAndMeasuresTheCeilingOfBothDestinations() throws Exception {
    PipelineBenchOptions options = new PipelineBenchOptions(1_500, 2, "postgres://postgres@127.0.0.1:5432/postgres", home, null);
    PipelineBenchReport report = new PipelineBenchmark(options, line -> { }).run();
    assertThat(report.status()).isEqualTo("completed");
    assertThat(report.lostTotal()).isZero();
    assertThat(report.duplicatesTotal()).isZero();
    PipelineBenchReport.Destination sf = report.salesforce();
    assertThat(sf.synced()).isEqualTo(1_500);
    assertThat(sf.writeCalls()).isEqualTo(8); // 1,500 in calls of 200
    assertThat(sf.ceiling().calls()).isEqualTo(8);
    assertThat(sf.ceiling().inFlight()).isEqualTo(WireCeiling.SALESFORCE_IN_FLIGHT);
    assertThat(sf.ceiling().seconds()).isPositive();
    PipelineBenchReport.Destination mc = report.mailchimp();
    assertThat(mc.status()).isEqualTo("completed");
    assertThat(mc.synced()).isEqualTo(1_500);
    assertThat(mc.writeCalls()).isEqualTo(3); // in calls of 500
    assertThat(mc.ceiling().calls()).isEqualTo(3);
    assertThat(mc.ceiling().inFlight()).isEqualTo(WireCeiling.MAILCHIMP_IN_FLIGHT);
    // the top level covers both: the ceilings' time over the runs' time
    assertThat(report.ratio()).isCloseTo((sf.ceiling().seconds() + mc.ceiling().seconds()) / (sf.seconds() + mc.seconds()),
        org.assertj.core.data.Offset.offset(1e-9));
    JsonNode json = new ObjectMapper().readTree(report.toJson());
    for (String key : new String[] {"records", "seconds", "records_per_sec", "ceiling_records_per_sec", "ratio", "responses_429",
        "lost", "duplicates"}) {
      assertThat(json.has(key)).as(key).isTrue();
    }
    assertThat(json.path("records").asLong()).isEqualTo(1_500);
    // both sides warmed up alike before the clock: as many records as the run (below the 5,000 cap)
    assertThat(json.path("warmup_records").asLong()).isEqualTo(1_500);
    assertThat(json.path("mailchimp").path("ceiling_records_per_sec").isNumber()).isTrue();
  }
}
