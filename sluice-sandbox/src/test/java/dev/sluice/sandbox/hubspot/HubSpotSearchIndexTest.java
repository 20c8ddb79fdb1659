package dev.sluice.sandbox.hubspot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.sandbox.ManualClock;
import dev.sluice.sandbox.Sandbox;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Searches answered through the last-modified index give exactly what a full scan gives. */
class HubSpotSearchIndexTest {
  @Test
  void indexedAndFullScanAnswersAreIdentical() throws Exception {
    ManualClock clock = new ManualClock(Instant.parse("2026-02-01T00:00:00Z"));
    try (Sandbox sandbox = Sandbox.builder().port(0).clock(clock)
        .hubspot(HubSpotOptions.builder().searchPerSecond(1_000_000).customLimits(100_000, 10_000_000)
            .searchIndexLag(Duration.ofSeconds(2)).build()).start()) {
      HubSpotSandbox hubspot = sandbox.hubspot();
      hubspot.generate(new HubSpotDataGenerator.Spec(5, 2_000, 20, 0, 0, 0, 1, true));
      SplittableRandom random = new SplittableRandom(9);
      List<String> ids = hubspot.ids(HubSpotObjectType.CONTACTS);
      for (int i = 0; i < 300; i++) {
        clock.advance(Duration.ofMillis(random.nextInt(1_500)));
        String id = ids.get(random.nextInt(ids.size()));
        if (random.nextInt(20) == 0) {
          if (hubspot.record(HubSpotObjectType.CONTACTS, id).map(r -> !r.archived()).orElse(false)) hubspot.archiveRecord(HubSpotObjectType.CONTACTS, id);
        } else if (hubspot.record(HubSpotObjectType.CONTACTS, id).map(r -> !r.archived()).orElse(false)) {
          hubspot.updateRecord(HubSpotObjectType.CONTACTS, id, Map.of("jobtitle", "t" + i));
        }
      }
      Http http = new Http(sandbox.baseUrl(), hubspot.token());
      long now = clock.millis();
      for (long back : new long[] {1_000, 60_000, 300_000, 86_400_000L * 400}) {
        String body = "{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"lastmodifieddate\",\"operator\":\"GTE\",\"value\":\"" + (now - back)
            + "\"},{\"propertyName\":\"email\",\"operator\":\"HAS_PROPERTY\"}]}],\"properties\":[\"jobtitle\"],\"limit\":200}";
        String sorted = body.replace("\"limit\":200", "\"limit\":200,\"sorts\":[\"lastmodifieddate\"]");
        for (String query : List.of(body, sorted)) {
          SearchEngine.useModifiedIndex = true;
          JsonNode indexed = http.post("/crm/v3/objects/contacts/search", query).json();
          SearchEngine.useModifiedIndex = false;
          JsonNode scanned = http.post("/crm/v3/objects/contacts/search", query).json();
          SearchEngine.useModifiedIndex = true;
          assertThat(indexed).isEqualTo(scanned);
          // Within the last second every change is still inside the 2 s index lag: nothing visible yet.
          if (back >= 60_000) assertThat(indexed.get("total").asInt()).isPositive();
          else assertThat(indexed.get("total").asInt()).isZero();
        }
      }
    } finally {
      SearchEngine.useModifiedIndex = true;
    }
  }
}
