package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench pipeline} at a small size on the test PostgreSQL with the sandbox in this JVM: every
 * mirror contact reaches the sandbox Salesforce and the Mailchimp audience once, and the report's keys and ceiling follow from
 * the write limit and the batch size (speed is not asserted: the machine may be loaded).
 */
class PipelineBenchmarkTest {
  @TempDir Path home;

  @Test
  void pushesEveryRecordOnceAndReportsTheCeilingOfItsLimit() throws Exception {
    PipelineBenchOptions options = new PipelineBenchOptions(1_500, 2, 2, "postgres://postgres@127.0.0.1:5432/postgres", home, null);
    PipelineBenchReport report = new PipelineBenchmark(options, line -> { }).run();
    assertThat(report.status()).isEqualTo("completed");
    assertThat(report.synced()).isEqualTo(1_500);
    assertThat(report.lost()).isZero();
    assertThat(report.duplicates()).isZero();
    assertThat(report.writeCalls()).isEqualTo(8); // 1,500 in calls of 200
    // 8 calls at 2 per 10 s: the first 2 go at once, the other 6 need 30 s
    assertThat(report.minimumSeconds()).isEqualTo(30.0);
    assertThat(report.ceilingRecordsPerSec()).isEqualTo(50.0);
    assertThat(report.seconds()).isGreaterThanOrEqualTo(25.0); // the limit held the run back
    JsonNode json = new ObjectMapper().readTree(report.toJson());
    for (String key : new String[] {"records", "seconds", "records_per_sec", "ceiling_records_per_sec", "ratio", "responses_429",
        "lost", "duplicates"}) {
      assertThat(json.has(key)).as(key).isTrue();
    }
    assertThat(json.path("records").asLong()).isEqualTo(1_500);
    // then the same records into the Mailchimp audience, in calls of 500
    PipelineBenchReport.Destination mc = report.mailchimp();
    assertThat(mc.status()).isEqualTo("completed");
    assertThat(mc.synced()).isEqualTo(1_500);
    assertThat(mc.writeCalls()).isEqualTo(3);
    assertThat(mc.lost()).isZero();
    assertThat(mc.duplicates()).isZero();
    assertThat(json.path("mailchimp").path("ceiling_records_per_sec").isNull()).isTrue();
  }
}
