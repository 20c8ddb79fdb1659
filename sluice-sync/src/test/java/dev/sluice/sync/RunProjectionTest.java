package dev.sluice.sync;

import static dev.sluice.sync.StreamStatus.CANCELLED;
import static dev.sluice.sync.StreamStatus.COMPLETED;
import static dev.sluice.sync.StreamStatus.FAILED;
import static dev.sluice.sync.StreamStatus.PENDING;
import static dev.sluice.sync.StreamStatus.PROCESSING;
import static dev.sluice.sync.StreamStatus.RETRYING;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The run status rules and the replay of an event log, without a database. */
class RunProjectionTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void runStatusFollowsItsStreams() {
    assertThat(RunProjection.runStatus(List.of(PENDING, PENDING), false)).isEqualTo(RunStatus.PENDING);
    assertThat(RunProjection.runStatus(List.of(PROCESSING, PENDING), false)).isEqualTo(RunStatus.PROCESSING);
    assertThat(RunProjection.runStatus(List.of(COMPLETED, PENDING), false)).isEqualTo(RunStatus.PROCESSING);
    assertThat(RunProjection.runStatus(List.of(RETRYING, PROCESSING), false)).isEqualTo(RunStatus.RETRYING);
    assertThat(RunProjection.runStatus(List.of(COMPLETED, COMPLETED), false)).isEqualTo(RunStatus.COMPLETED);
    assertThat(RunProjection.runStatus(List.of(COMPLETED, FAILED), false)).isEqualTo(RunStatus.PARTIALLY_COMPLETED);
    assertThat(RunProjection.runStatus(List.of(FAILED, FAILED), false)).isEqualTo(RunStatus.FAILED);
    assertThat(RunProjection.runStatus(List.of(CANCELLED, COMPLETED), true)).isEqualTo(RunStatus.CANCELLED);
    assertThat(RunProjection.runStatus(List.of(PROCESSING), true)).isEqualTo(RunStatus.CANCELLED);
  }

  static SyncEvent event(long seq, String stream, SyncEventType type, String payload) {
    JsonNode p = Json.read(payload);
    return new SyncEvent(seq, 1, stream, type, p, T0.plusSeconds(seq));
  }

  @Test
  void replayRebuildsStatusCountsAndResume() {
    List<SyncEvent> log = List.of(
        event(1, null, SyncEventType.RUN_CREATED, "{\"objects\":[\"contacts\",\"deals\"],\"mode\":\"full\"}"),
        event(2, "contacts", SyncEventType.STREAM_STARTED, "{}"),
        event(3, "deals", SyncEventType.STREAM_STARTED, "{}"),
        event(4, "contacts", SyncEventType.PAGE_COMMITTED,
            "{\"page\":0,\"fetched\":100,\"created\":90,\"updated\":5,\"unchanged\":5,\"archived\":0,\"failed\":0,\"requests\":4,\"checkpoint\":\"{\\\"after\\\":\\\"100\\\"}\"}"),
        event(5, "deals", SyncEventType.RETRY, "{\"reason\":\"HTTP 503\"}"));
    RunProjection.Replayed mid = RunProjection.replay(1, log);
    assertThat(mid.status()).isEqualTo(RunStatus.RETRYING);
    assertThat(mid.streams().get("contacts").counts()).isEqualTo(new StreamCounts(100, 90, 5, 5, 0, 0));
    assertThat(mid.streams().get("contacts").checkpoint()).isEqualTo("{\"after\":\"100\"}");
    assertThat(mid.streams().get("contacts").pagesCommitted()).isEqualTo(1);
    assertThat(mid.streams().get("deals").lastError()).isEqualTo("HTTP 503");
    assertThat(mid.startedAt()).isEqualTo(T0.plusSeconds(2));

    List<SyncEvent> more = new java.util.ArrayList<>(log);
    more.add(event(6, "contacts", SyncEventType.STREAM_FINISHED, "{\"pages\":1}"));
    more.add(event(7, "deals", SyncEventType.STREAM_FAILED, "{\"reason\":\"gave up\"}"));
    more.add(event(8, null, SyncEventType.RUN_FINISHED, "{\"status\":\"partially_completed\"}"));
    RunProjection.Replayed partial = RunProjection.replay(1, more);
    assertThat(partial.status()).isEqualTo(RunStatus.PARTIALLY_COMPLETED);
    assertThat(partial.finishedAt()).isEqualTo(T0.plusSeconds(8));

    more.add(event(9, null, SyncEventType.RUN_RESUMED, "{\"streams\":[\"deals\"]}"));
    RunProjection.Replayed resumed = RunProjection.replay(1, more);
    assertThat(resumed.status()).isEqualTo(RunStatus.PROCESSING);
    assertThat(resumed.streams().get("deals").status()).isEqualTo(PENDING);
    assertThat(resumed.streams().get("deals").generation()).isEqualTo(1);
    assertThat(resumed.streams().get("contacts").status()).isEqualTo(COMPLETED);
    assertThat(resumed.finishedAt()).isNull();
  }

  @Test
  void etaNeedsAnEstimateForEveryUnfinishedStream() {
    SyncStream known = new SyncStream("contacts", PROCESSING, 1, new StreamCounts(100, 100, 0, 0, 0, 0), 1, null,
        1000L, null, T0, null, null);
    SyncStream unknown = new SyncStream("deals", PROCESSING, 1, new StreamCounts(100, 100, 0, 0, 0, 0), 1, null,
        null, null, T0, null, null);
    assertThat(RunProjection.eta(RunStatus.PROCESSING, T0, List.of(known), T0.plusSeconds(10)))
        .isEqualTo(Duration.ofSeconds(90));
    assertThat(RunProjection.eta(RunStatus.PROCESSING, T0, List.of(known, unknown), T0.plusSeconds(10))).isNull();
    assertThat(RunProjection.eta(RunStatus.COMPLETED, T0, List.of(known), T0.plusSeconds(10))).isNull();
  }
}
