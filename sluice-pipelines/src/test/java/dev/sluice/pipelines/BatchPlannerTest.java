package dev.sluice.pipelines;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-field two-way rules and duplicate reports of {@link BatchPlanner}, without I/O. */
class BatchPlannerTest {
  static final Instant T1 = Instant.parse("2026-12-07T06:00:00Z");
  static final Instant T2 = Instant.parse("2026-12-07T06:05:00Z");

  final Pipeline toSalesforce = pipeline("hs-to-sf", "hubspot-main", "contacts", "salesforce-main", "Contact", """
      fields:
        Email: {from: source.email, type: email, required: true}
        FirstName: source.firstname
        Title: {from: source.jobtitle, conflict: salesforce-main}
      """, "Email");

  static Pipeline pipeline(String name, String src, String srcObj, String dst, String dstObj, String mapping, String match) {
    try {
      return new Pipeline(name, src, srcObj, dst, dstObj, match, Mapping.parse(mapping, name), 0, null);
    } catch (MappingException e) {
      throw new AssertionError(e);
    }
  }

  Decision plan(Pipeline p, SourceRow row, LinkedRecord... links) {
    BatchPlanner planner = new BatchPlanner(p);
    List<Mapping.Result> mapped = planner.map(List.of(row));
    Map<String, List<LinkedRecord>> byKey = new java.util.HashMap<>();
    for (LinkedRecord l : links) byKey.computeIfAbsent(l.matchKey(), k -> new java.util.ArrayList<>()).add(l);
    return planner.plan(List.of(row), mapped, byKey).get(0);
  }

  static SourceRow hs(String id, Map<String, String> props, Instant at, Map<String, String> lastMapped, Map<String, String> written) {
    return new SourceRow(id, props, false, at, "h-" + props.hashCode(), lastMapped, written);
  }

  static LinkedRecord sf(String id, Map<String, String> props, Instant at, Map<String, String> written) {
    return new LinkedRecord("ann@example.com", "salesforce-main", "Contact", id, props, at, false, written);
  }

  @Test
  void aNewRecordIsSentWhole() {
    Decision d = plan(toSalesforce, hs("1", Map.of("email", "Ann@Example.com", "firstname", "Ann"), T1, null, null));
    assertThat(d.kind()).isEqualTo(Decision.Kind.SEND);
    assertThat(d.send()).containsOnlyKeys("Email", "FirstName").containsEntry("FirstName", "Ann");
    assertThat(d.key()).isEqualTo("ann@example.com");
  }

  @Test
  void onlyChangedFieldsAreSentAndAnEchoIsNotSentBack() {
    Map<String, String> last = Map.of("Email", "ann@example.com", "FirstName", "Ann");
    // Sluice wrote firstname=Bob into HubSpot (from Salesforce); HubSpot still holds it: an echo
    Decision echo = plan(toSalesforce, hs("1", Map.of("email", "ann@example.com", "firstname", "Bob"), T2, last,
        Map.of("firstname", "Bob")), sf("003A", Map.of("Email", "ann@example.com", "FirstName", "Bob"), T1, null));
    assertThat(echo.kind()).isEqualTo(Decision.Kind.SKIP);
    assertThat(echo.reason()).isIn("echo", "unchanged");

    // a person changed it since: sent, with the match field, and nothing else
    Decision change = plan(toSalesforce, hs("1", Map.of("email", "ann@example.com", "firstname", "Cleo", "jobtitle", ""), T2, last,
        Map.of("firstname", "Bob")), sf("003A", Map.of("Email", "ann@example.com", "FirstName", "Bob"), T1, Map.of("FirstName", "Bob")));
    assertThat(change.kind()).isEqualTo(Decision.Kind.SEND);
    assertThat(change.send()).containsExactly(Map.entry("FirstName", "Cleo"), Map.entry("Email", "ann@example.com"));
  }

  @Test
  void theSameFieldChangedOnBothSidesGoesToTheNewerChange() {
    Map<String, String> last = Map.of("Email", "ann@example.com", "FirstName", "Ann");
    Map<String, String> wroteToSf = Map.of("Email", "ann@example.com", "FirstName", "Ann");
    // HubSpot changed at T1, Salesforce at T2: Salesforce's own value stays
    Decision older = plan(toSalesforce, hs("1", Map.of("email", "ann@example.com", "firstname", "Hubert"), T1, last, null),
        sf("003A", Map.of("Email", "ann@example.com", "FirstName", "Sally"), T2, wroteToSf));
    assertThat(older.kind()).isEqualTo(Decision.Kind.SKIP);
    assertThat(older.reason()).isEqualTo("conflict");
    // HubSpot's change is the newer one: sent
    Decision newer = plan(toSalesforce, hs("1", Map.of("email", "ann@example.com", "firstname", "Hubert"), T2, last, null),
        sf("003A", Map.of("Email", "ann@example.com", "FirstName", "Sally"), T1, wroteToSf));
    assertThat(newer.send()).containsEntry("FirstName", "Hubert");
  }

  @Test
  void aFieldWhoseSourceOfTruthIsTheDestinationIsNotOverwritten() {
    Map<String, String> last = Map.of("Email", "ann@example.com");
    Decision d = plan(toSalesforce, hs("1", Map.of("email", "ann@example.com", "jobtitle", "CTO"), T2, last, null),
        sf("003A", Map.of("Email", "ann@example.com", "Title", "VP Sales"), T1, Map.of("Email", "ann@example.com")));
    assertThat(d.kind()).isEqualTo(Decision.Kind.SKIP);
    assertThat(d.reason()).isEqualTo("conflict");
  }

  @Test
  void duplicatesAreReportedNotWritten() {
    BatchPlanner planner = new BatchPlanner(toSalesforce);
    List<SourceRow> rows = List.of(hs("1", Map.of("email", "ann@example.com"), T1, null, null),
        hs("2", Map.of("email", " ANN@example.com"), T1, null, null));
    List<Decision> twins = planner.plan(rows, planner.map(rows), Map.of());
    assertThat(twins.get(0).kind()).isEqualTo(Decision.Kind.SEND);
    assertThat(twins.get(1).kind()).isEqualTo(Decision.Kind.FAIL);
    assertThat(twins.get(1).reason()).isEqualTo("duplicate");
    assertThat(twins.get(1).error()).contains("source record 1");

    Decision twoInDestination = plan(toSalesforce, hs("1", Map.of("email", "ann@example.com"), T1, null, null),
        sf("003A", Map.of("Email", "ann@example.com"), T1, null), sf("003B", Map.of("Email", "ann@example.com"), T1, null));
    assertThat(twoInDestination.reason()).isEqualTo("duplicate");
    assertThat(twoInDestination.error()).contains("003A").contains("003B");
  }
}
