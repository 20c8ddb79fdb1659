package dev.sluice.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sandbox.segment.SegmentEvent;

/** {@code segment.identify}: traits of a person; one event per job, deduped by its messageId. */
class SegmentIdentifyContractTest extends SegmentTrackContractTest {
  @Override
  protected String kind() {
    return "segment.identify";
  }

  @Override
  protected String action(String marker) {
    return "segment.identify: {connection: vendor, anonymousId: \"anon-{{event.object_id}}\", traits: {plan: \"{{event.value}}\", seats: 12}}";
  }

  @Override
  protected int effects(String marker) {
    return (int) segment().events().stream()
        .filter(e -> e.type().equals("identify") && marker.equals(e.payload().path("traits").path("plan").asText())).count();
  }

  @Override
  void checkEvent(SegmentEvent e, String objectId) {
    assertThat(e.type()).isEqualTo("identify");
    assertThat(e.userId()).isNull();
    assertThat(e.anonymousId()).isEqualTo("anon-" + objectId);
    assertThat(e.payload().path("traits").path("seats").asInt()).isEqualTo(12);
  }
}
