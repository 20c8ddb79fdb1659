package dev.sluice.connectors.segment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.DestinationConnector;
import dev.sluice.connectors.DestinationConnectorContract;
import dev.sluice.connectors.OutboundRecord;
import dev.sluice.connectors.SandboxConnections;
import dev.sluice.connectors.WriteResult;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.segment.SegmentOptions;
import dev.sluice.sandbox.segment.SegmentSandbox;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The destination contract for Segment identify calls, against a sandbox that refuses a wrong write
 * key with 401 (the real service answers 200 and drops the events: see docs/connectors.md), plus the
 * size limits and messageId stability.
 */
class SegmentDestinationContractTest extends DestinationConnectorContract {

  private static SegmentSandbox segment;
  private static SandboxConnections env;

  @BeforeAll
  static void start() {
    segment = new SegmentSandbox(SegmentOptions.builder().strictWriteKey(true).build());
    env = new SandboxConnections("conn_segdest", segment);
  }

  @AfterAll
  static void stop() {
    env.close();
  }

  private static ConnectionConfig.Builder connection(String name) {
    return ConnectionConfig.builder(name, "segment").baseUrl(env.sandbox.baseUrl() + SegmentSandbox.API_PREFIX)
        .token(SegmentOptions.DEFAULT_WRITE_KEY, "SEGMENT_WRITE_KEY");
  }

  @Override
  protected Sandbox sandbox() {
    return env.sandbox;
  }

  @Override
  protected DestinationConnector newConnector() {
    return env.factory.destination(connection("segment-dest").build());
  }

  @Override
  protected DestinationConnector newConnectorWithBadCredentials() {
    return env.factory.destination(connection("segment-badkey").token("wrongWriteKey", "SEGMENT_WRITE_KEY").build());
  }

  @Override
  protected String objectType() {
    return "identify";
  }

  @Override
  protected String keyField() {
    return "userId";
  }

  @Override
  protected Map<String, Object> goodRecord(String key) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("userId", key);
    m.put("email", key + "@example.test");
    m.put("plan", "pro");
    return m;
  }

  @Override
  protected Map<String, Object> badRecord(String key) {
    Map<String, Object> m = goodRecord(key);
    m.put("notes", "x".repeat(33 * 1024)); // over Segment's 32 KB per event
    return m;
  }

  @Override
  protected boolean deletes() {
    return false; // an event API: nothing to delete
  }

  @Override
  protected int storedCount(String key) {
    return (int) segment.events("identify").stream().filter(e -> key.equals(e.userId())).count();
  }

  @Override
  protected String writePath() {
    return "/v1/batch";
  }

  @Override
  protected Duration expectedRateLimitWait() {
    return Duration.ofSeconds(1); // the sandbox's Retry-After: 1
  }

  @Test
  void anUploadOverFiveHundredKilobytesGoesInSeveralRequestsEachWithinTheLimit() throws Exception {
    long rejectedBefore = segment.rejectedRequestCount();
    List<OutboundRecord> records = new ArrayList<>();
    String run = newKey();
    try (DestinationConnector c = newConnector()) {
      for (int i = 0; i < 60; i++) {
        Map<String, Object> m = goodRecord(run + "-" + i);
        m.put("bio", "y".repeat(20 * 1024)); // 60 × ~20 KB = ~1.2 MB: three requests
        records.add(c.mapFields("identify", "userId", m, "r" + i));
      }
      WriteResult r = c.uploadBatch("identify", records, "big-" + run);
      assertThat(r.failures()).isZero();
      assertThat(segment.rejectedRequestCount()).isEqualTo(rejectedBefore);
      for (int i = 0; i < 60; i++) {
        assertThat(storedCount(run + "-" + i)).isEqualTo(1);
      }
      // Uploaded again (a retried batch): the same messageIds, every event dropped as a duplicate.
      long duplicates = segment.duplicateCount();
      assertThat(c.uploadBatch("identify", records, "big-" + run).failures()).isZero();
      assertThat(segment.duplicateCount() - duplicates).isEqualTo(60);
    }
  }

  @Test
  void messageIdsAreStablePerRecordVersionAndDifferWhenTheRecordChanges() throws Exception {
    try (DestinationConnector c = newConnector()) {
      Map<String, Object> v1 = goodRecord("same-user");
      Map<String, Object> v2 = new LinkedHashMap<>(v1);
      v2.put("plan", "enterprise");
      String a = c.uploadBatch("identify", List.of(c.mapFields("identify", "userId", v1, null)), null).results().get(0).externalId();
      String b = c.uploadBatch("identify", List.of(c.mapFields("identify", "userId", v1, null)), null).results().get(0).externalId();
      String d = c.uploadBatch("identify", List.of(c.mapFields("identify", "userId", v2, null)), null).results().get(0).externalId();
      String k = c.uploadBatch("identify", List.of(c.mapFields("identify", "userId", v1, null)), "rule-42").results().get(0).externalId();
      assertThat(a).isEqualTo(b).startsWith("sluice-").hasSizeLessThan(100);
      assertThat(d).isNotEqualTo(a);
      assertThat(k).isNotEqualTo(a);
    }
  }

  @Test
  void trackNeedsAnEventNameAndSendsTheOtherFieldsAsProperties() throws Exception {
    String user = newKey();
    try (DestinationConnector c = newConnector()) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.mapFields("track", "userId", Map.of("userId", user), null))
          .isInstanceOf(dev.sluice.connectors.FieldMappingException.class).hasMessageContaining("event");
      OutboundRecord r = c.mapFields("track", "userId", Map.of("userId", user, "event", "Deal Won", "amount", 1200), null);
      assertThat(c.uploadBatch("track", List.of(r), null).failures()).isZero();
    }
    var sent = segment.events("track").stream().filter(e -> user.equals(e.userId())).toList();
    assertThat(sent).hasSize(1);
    assertThat(sent.get(0).event()).isEqualTo("Deal Won");
    assertThat(sent.get(0).payload().path("properties").path("amount").asText()).isEqualTo("1200");
  }
}
