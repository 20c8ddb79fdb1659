package dev.sluice.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectorFactory;
import dev.sluice.connectors.RateLimitSpec;
import dev.sluice.queue.Job;
import dev.sluice.queue.JobState;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.segment.SegmentEvent;
import dev.sluice.sandbox.segment.SegmentOptions;
import dev.sluice.sandbox.segment.SegmentSandbox;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code segment.track} against the sandbox's Tracking API: the event's {@code messageId} is the
 * job's dedupe key, so the resend after a lost response is dropped by Segment as a duplicate.
 */
class SegmentTrackContractTest extends ConnectorActionContractTest {
  /** Segment's write bucket, slowed down so that a spent bucket means a wait longer than the limiter's 2 s. */
  static final RateLimitSpec WRITES = RateLimitSpec.of(30, Duration.ofMinutes(1));

  @Override
  protected String kind() {
    return "segment.track";
  }

  @Override
  protected void startDestination() {
    sandbox = Sandbox.builder().port(0).clock(clock).platform(new SegmentSandbox(SegmentOptions.builder().strictWriteKey(true).build())).start();
  }

  @Override
  protected ConnectionConfig.Builder connection(URI base) {
    return ConnectionConfig.builder(CONNECTION, "segment").baseUrl(base + SegmentSandbox.API_PREFIX)
        .token(SegmentOptions.DEFAULT_WRITE_KEY, "SEGMENT_WRITE_KEY").limit("1s", WRITES);
  }

  @Override
  protected AutoCloseable spendTheSharedBudget(ConnectorFactory pipelineSide, ConnectionConfig config) {
    return spendBucket(pipelineSide, config, "1s");
  }

  @Override
  protected String action(String marker) {
    return "segment.track: {connection: vendor, userId: \"deal-owner-{{event.object_id}}\", event: Deal Placed,"
        + " properties: {deal: \"{{event.value}}\", amount: 1200, stage: placement}}";
  }

  SegmentSandbox segment() {
    return sandbox.platform(SegmentSandbox.class);
  }

  @Override
  protected int effects(String marker) {
    return (int) segment().events().stream().filter(e -> marker.equals(e.payload().path("properties").path("deal").asText())).count();
  }

  @Override
  protected FaultProxy.Answer rejection() {
    return new FaultProxy.Answer(400, Map.of("Content-Type", "application/json"),
        "{\"success\":false,\"message\":\"contract_rejected: batch[0] is not a valid event\"}");
  }

  @Test
  void theEventCarriesTheDedupeKeyAsMessageIdAndTheTemplatedProperties() throws Exception {
    Job job = fire("wired-" + System.nanoTime(), false);
    awaitState(job, JobState.COMPLETED);
    JsonNode payload = json(job.payload());
    SegmentEvent e = segment().events().stream().filter(x -> x.messageId().equals(payload.path("dedupe_key").asText())).findFirst().orElseThrow();
    checkEvent(e, payload.path("object_id").asText());
    assertThat(e.payload().path("context").path("library").path("name").asText()).isEqualTo("sluice");
    assertThat(json(queue.find(job.id()).orElseThrow().progress()).path("result").path("messageId").asText()).isEqualTo(e.messageId());
  }

  /** The event as the action renders it for the deal {@code objectId}. */
  void checkEvent(SegmentEvent e, String objectId) {
    assertThat(e.type()).isEqualTo("track");
    assertThat(e.event()).isEqualTo("Deal Placed");
    assertThat(e.userId()).isEqualTo("deal-owner-" + objectId);
    assertThat(e.payload().path("properties").path("amount").asInt()).isEqualTo(1200);
  }

  @Test
  void aLongDedupeKeyBecomesAStableMessageIdShorterThanSegmentsLimit() {
    String key = "contract#0:" + "x".repeat(200);
    assertThat(SegmentActions.messageId(key)).hasSizeLessThan(SegmentActions.MAX_MESSAGE_ID).isEqualTo(SegmentActions.messageId(key))
        .isNotEqualTo(SegmentActions.messageId(key + "y"));
    assertThat(SegmentActions.messageId("contract#0:short")).isEqualTo("contract#0:short");
  }
}
