package dev.sluice.connectors.hubspot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.OutboundRecord;
import dev.sluice.connectors.WriteResult;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Pure request/answer logic: property chunking, Retry-After, batch result mapping. */
class HubSpotWireTest {

  @Test
  void shortPropertyListsStayInOneRequest() {
    assertThat(HubSpotStreamReader.propertyChunks(List.of("email", "firstname"), 1_800)).hasSize(1);
    assertThat(HubSpotStreamReader.propertyChunks(List.of(), 1_800)).containsExactly(List.of());
  }

  @Test
  void longPropertyListsAreSplitWithinTheBudgetKeepingEveryName() {
    List<String> props = IntStream.range(0, 400).mapToObj(i -> "custom_property_with_a_long_name_" + i).toList();
    List<List<String>> chunks = HubSpotStreamReader.propertyChunks(props, 1_800);
    assertThat(chunks.size()).isGreaterThan(1);
    List<String> all = new ArrayList<>();
    for (List<String> c : chunks) {
      assertThat(("&properties=" + URLEncoder.encode(String.join(",", c), StandardCharsets.UTF_8)).length()).isLessThanOrEqualTo(1_800);
      all.addAll(c);
    }
    assertThat(all).isEqualTo(props);
  }

  @Test
  void retryAfterInSecondsOrHttpDate() {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    assertThat(HubSpotHttp.parseRetryAfter("3", now)).contains(Duration.ofSeconds(3));
    assertThat(HubSpotHttp.parseRetryAfter("0.5", now)).contains(Duration.ofMillis(500));
    assertThat(HubSpotHttp.parseRetryAfter("Thu, 01 Jan 2026 00:00:10 GMT", now)).contains(Duration.ofSeconds(10));
    assertThat(HubSpotHttp.parseRetryAfter("soon", now)).isEmpty();
  }

  @Test
  void upsert207MapsResultsByIdPropertyAndErrorsByTraceId() throws Exception {
    List<OutboundRecord> in = List.of(
        OutboundRecord.upsert("email", "A@b.com", Map.of("firstname", "A")),
        new OutboundRecord("email", "bad", Map.of(), "t-bad"),
        OutboundRecord.upsert("email", "c@d.com", Map.of()));
    JsonNode body = HubSpotHttp.JSON.readTree("""
        {"status":"COMPLETE","results":[
           {"id":"102","new":false,"properties":{"email":"c@d.com"},"createdAt":"x","updatedAt":"x","archived":false},
           {"id":"101","new":true,"properties":{"email":"a@b.com"},"createdAt":"x","updatedAt":"x","archived":false}],
         "numErrors":1,"errors":[{"status":"error","category":"VALIDATION_ERROR","message":"Email address bad is invalid",
           "context":{"objectWriteTraceId":["t-bad"]}}],"startedAt":"x","completedAt":"x"}""");
    WriteResult r = HubSpotBatchWriter.results(in, List.of("0", "t-bad", "2"), body, true, "contacts batch/upsert");
    assertThat(r.results()).extracting(WriteResult.RecordResult::status)
        .containsExactly(WriteResult.Status.CREATED, WriteResult.Status.FAILED, WriteResult.Status.UPDATED);
    assertThat(r.results().get(0).externalId()).isEqualTo("101");
    assertThat(r.results().get(2).externalId()).isEqualTo("102");
    assertThat(r.results().get(1).errorKind()).isEqualTo(ConnectorException.Kind.PERMANENT_RECORD);
    assertThat(r.results().get(1).error()).contains("VALIDATION_ERROR").contains("invalid");
    assertThat(r.failures()).isEqualTo(1);
  }
}
