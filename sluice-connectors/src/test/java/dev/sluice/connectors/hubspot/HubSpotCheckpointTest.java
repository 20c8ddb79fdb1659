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
        HubSpotCheckpoint.searchTie(1_718_000_000_000L, "4711", List.of("9")))) {
      assertThat(HubSpotCheckpoint.parse(cp.toJson())).isEqualTo(cp);
    }
  }

  @Test
  void rejectsForeignCheckpoints() {
    assertThatThrownBy(() -> HubSpotCheckpoint.parse("{\"offset\":3}")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a HubSpot checkpoint");
    assertThatThrownBy(() -> HubSpotCheckpoint.parse("not json")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HubSpotCheckpoint.parse("{\"v\":1,\"phase\":\"search\"}")).hasMessageContaining("anchor");
  }
}
