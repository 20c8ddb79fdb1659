package dev.sluice.connectors.hubspot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class HubSpotCheckpointTest {

  @Test
  void roundTripsEveryPhase() {
    for (HubSpotCheckpoint cp : List.of(
        HubSpotCheckpoint.active(null), HubSpotCheckpoint.active("NTI1Cg%3D%3D"), HubSpotCheckpoint.archived("7"),
        HubSpotCheckpoint.search(1_718_000_000_000L, true, List.of()),
        HubSpotCheckpoint.search(1_718_000_000_000L, false, List.of("1", "98765432109")),
        HubSpotCheckpoint.searchTie(1_718_000_000_000L, "4711", List.of("9")),
        HubSpotCheckpoint.search(1_718_000_000_000L, false, List.of("3"), new HubSpotCheckpoint.Pass(0, false, null, 1_717_999_000_000L)),
        HubSpotCheckpoint.searchTie(1_718_000_000_000L, null, List.of("9"), new HubSpotCheckpoint.Pass(1, true, 1_717_000_000_000L, null)),
        HubSpotCheckpoint.settle(1_717_999_995_000L, new HubSpotCheckpoint.Pass(2, true, 1_717_999_999_000L, null)))) {
      assertThat(HubSpotCheckpoint.parse(cp.toJson())).isEqualTo(cp);
    }
  }

  @Test
  void aPassFindsSomethingNewOnlyBeyondTheEarlierPassesAndBeforeTheRunStarted() {
    long start = 10_000;
    HubSpotCheckpoint.Pass second = new HubSpotCheckpoint.Pass(1, true, 9_000L, null);
    assertThat(second.saw(8_000, start).foundNew()).isFalse();
    assertThat(second.saw(9_000, start).foundNew()).isFalse();
    assertThat(second.saw(12_000, start).foundNew()).as("modified after the run started").isFalse();
    HubSpotCheckpoint.Pass found = second.saw(9_500, start).saw(9_200, start);
    assertThat(found.foundNew()).isTrue();
    assertThat(found.reached()).isEqualTo(9_500L);
    assertThat(HubSpotCheckpoint.Pass.FIRST.saw(5, start).reached()).isEqualTo(5L);
  }

  @Test
  void checkpointsWrittenBeforePassesReadAsTheFirstPass() {
    HubSpotCheckpoint old = HubSpotCheckpoint.parse("{\"v\":1,\"phase\":\"search\",\"anchor\":5,\"strict\":false,\"seen\":[]}");
    assertThat(old.pass()).isNull();
    assertThat(old.passOrFirst()).isEqualTo(HubSpotCheckpoint.Pass.FIRST);
  }

  @Test
  void rejectsForeignCheckpoints() {
    assertThatThrownBy(() -> HubSpotCheckpoint.parse("{\"offset\":3}")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a HubSpot checkpoint");
    assertThatThrownBy(() -> HubSpotCheckpoint.parse("not json")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HubSpotCheckpoint.parse("{\"v\":1,\"phase\":\"search\"}")).hasMessageContaining("anchor");
  }
}
