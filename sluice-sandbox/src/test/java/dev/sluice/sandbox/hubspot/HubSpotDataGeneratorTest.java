package dev.sluice.sandbox.hubspot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sandbox.ManualClock;
import dev.sluice.sandbox.Sandbox;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The generator gives the same portal for the same seed, with its edge cases. */
class HubSpotDataGeneratorTest {
  private static final HubSpotDataGenerator.Spec SPEC = new HubSpotDataGenerator.Spec(11, 1_000, 50, 200, 100, 100, 3, true);

  private static List<HubSpotRecord> generate(HubSpotDataGenerator.Spec spec) {
    ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    try (Sandbox s = Sandbox.builder().port(0).clock(clock).hubspot(HubSpotOptions.builder().initialData(spec).build()).start()) {
      List<HubSpotRecord> out = new ArrayList<>();
      for (HubSpotObjectType t : HubSpotObjectType.values()) {
        for (String id : s.hubspot().ids(t)) out.add(s.hubspot().record(t, id).orElseThrow());
      }
      return out;
    }
  }

  @Test
  void sameSeedSamePortalOtherSeedOtherPortal() {
    List<HubSpotRecord> a = generate(SPEC);
    List<HubSpotRecord> b = generate(SPEC);
    assertThat(a).hasSize(1_000 + 50 + 200 + 100 + 100);
    assertThat(a).isEqualTo(b);
    List<HubSpotRecord> c = generate(new HubSpotDataGenerator.Spec(12, 1_000, 50, 200, 100, 100, 3, true));
    assertThat(c).isNotEqualTo(a);
  }

  @Test
  void edgeCasesArePresent() {
    List<HubSpotRecord> contacts = generate(SPEC).stream().filter(r -> r.type() == HubSpotObjectType.CONTACTS).toList();
    assertThat(contacts).anyMatch(r -> r.property("firstname") == null);
    assertThat(contacts).anyMatch(r -> r.property("firstname") != null && r.property("firstname").chars().anyMatch(ch -> ch > 127));
    assertThat(contacts).anyMatch(r -> r.property("sluice_custom_1") != null
        && r.property("sluice_custom_1").length() == HubSpotDataGenerator.LONG_VALUE_LENGTH);
    assertThat(contacts).anyMatch(r -> r.property("sluice_custom_3") != null);
    assertThat(contacts).anyMatch(r -> Long.parseLong(r.id()) > 4_294_967_296L);
    assertThat(contacts).anyMatch(r -> Long.parseLong(r.id()) > (1L << 53));
    Map<String, List<String>> byLowerEmail = new HashMap<>();
    for (HubSpotRecord r : contacts) byLowerEmail.computeIfAbsent(r.property("email").toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(r.property("email"));
    assertThat(byLowerEmail.values()).anyMatch(emails -> emails.size() == 2 && !emails.get(0).equals(emails.get(1)));
    assertThat(contacts).anyMatch(r -> !r.associated(HubSpotObjectType.COMPANIES).isEmpty());
  }
}
