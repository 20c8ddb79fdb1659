package dev.sluice.sandbox.segment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.sandbox.NodeClients;
import dev.sluice.sandbox.RecordedRequest;
import dev.sluice.sandbox.Sandbox;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sandbox's Segment as @segment/analytics-node 3, Segment's official Node library, sees it:
 * a wrong write key is answered 200 and its events dropped (recorded with the reason), and events
 * over 32 KB or batches over 500 KB (which the library's own size guard lets through) are refused
 * whole with 400. The script is {@code clients/segment.mjs}.
 */
class SegmentClientContractTest {
  private static Sandbox server;
  private static SegmentSandbox sandbox;
  private static NodeClients.Report report;

  @BeforeAll
  static void driveWithTheOfficialClient() throws Exception {
    sandbox = new SegmentSandbox(SegmentOptions.defaults());
    server = Sandbox.builder().platform(sandbox).start();
    report = NodeClients.run("segment.mjs", Map.of("SEG_HOST", server.baseUrl(), "SEG_KEY", SegmentOptions.DEFAULT_WRITE_KEY), 120);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void eventsWithTheRightKeyAreStored() {
    assertThat(report.ok("delivered")).allSatisfy(err -> assertThat(err.isNull()).as(err.toString()).isTrue());
    assertThat(sandbox.events()).extracting(SegmentEvent::messageId)
        .containsExactly("contract-identify-1", "contract-track-1");
  }

  @Test
  void aWrongWriteKeyIsAnswered200AndItsEventsDroppedWithTheReason() {
    JsonNode errors = report.ok("wrongKey");
    assertThat(errors).singleElement().satisfies(err -> assertThat(err.isNull()).isTrue());
    assertThat(sandbox.droppedEvents()).filteredOn(d -> "contract-wrong-key-1".equals(d.messageId()))
        .singleElement().satisfies(d -> assertThat(d.reason()).isEqualTo("invalid write key"));
    assertThat(server.journal().withPathPrefix("/v1/")).extracting(RecordedRequest::status).doesNotContain(401);
  }

  @Test
  void anEventOver32KbAndABatchOver500KbAreRefusedWholeWith400() {
    assertThat(report.ok("oversizeEvent")).singleElement().satisfies(err -> assertThat(err.asText()).contains("400"));
    JsonNode batch = report.ok("oversizeBatch");
    assertThat(batch).hasSize(20).allSatisfy(err -> assertThat(err.asText()).contains("400"));
    assertThat(sandbox.events()).noneMatch(e -> e.messageId().startsWith("contract-big"));
    assertThat(server.journal().withPathPrefix("/v1/batch")).filteredOn(r -> r.status() == 400).hasSize(2);
  }
}
