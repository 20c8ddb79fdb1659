package dev.sluice.sandbox.hubspot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.sandbox.ManualClock;
import dev.sluice.sandbox.Sandbox;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Search: filters, sorts, paging, the 10,000 cap, index lag, archived records. */
class HubSpotSearchTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2024-06-10T06:13:20Z")); // 1718000000000
  private Sandbox sandbox;
  private HubSpotSandbox hubspot;
  private Http http;

  @BeforeEach
  void start() {
    sandbox = Sandbox.builder().port(0).clock(clock)
        .hubspot(HubSpotOptions.builder().searchPerSecond(1_000_000).customLimits(100_000, 10_000_000).build()).start();
    hubspot = sandbox.hubspot();
    http = new Http(sandbox.baseUrl(), hubspot.token());
  }

  @AfterEach
  void stop() {
    sandbox.close();
  }

  private JsonNode search(String type, String body) throws Exception {
    Http.Response r = http.post("/crm/v3/objects/" + type + "/search", body);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.json();
  }

  private static List<String> ids(JsonNode body) {
    List<String> out = new ArrayList<>();
    body.get("results").forEach(n -> out.add(n.get("id").asText()));
    return out;
  }

  @Test
  void documentedRequestFiltersOnLastModifiedAndSortsAscending() throws Exception {
    String old = hubspot.createRecord(HubSpotObjectType.COMPANIES, Map.of("name", "Old")).id();
    clock.advance(Duration.ofSeconds(5));
    String b = hubspot.createRecord(HubSpotObjectType.COMPANIES, Map.of("name", "B")).id();
    clock.advance(Duration.ofSeconds(5));
    String a = hubspot.createRecord(HubSpotObjectType.COMPANIES, Map.of("name", "A")).id();
    clock.advance(Duration.ofSeconds(5));
    hubspot.updateRecord(HubSpotObjectType.COMPANIES, b, Map.of("domain", "b.com")); // b is now the newest

    JsonNode body = search("companies", "{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"hs_lastmodifieddate\",\"operator\":\"GTE\","
        + "\"value\":\"1718000001000\"}]}],\"sorts\":[{\"propertyName\":\"hs_lastmodifieddate\",\"direction\":\"ASCENDING\"}],"
        + "\"properties\":[\"name\"],\"limit\":200,\"after\":\"0\"}");
    assertThat(body.get("total").asInt()).isEqualTo(2);
    assertThat(ids(body)).containsExactly(a, b);
    assertThat(body.has("paging")).isFalse();
    JsonNode first = body.get("results").get(0);
    assertThat(first.get("properties").get("name").asText()).isEqualTo("A");
    assertThat(first.get("properties").get("hs_object_id").asText()).isEqualTo(a);
    assertThat(first.get("properties").has("hs_lastmodifieddate")).isTrue();
    assertThat(first.get("archived").asBoolean()).isFalse();
    assertThat(ids(search("companies", "{\"sorts\":[\"-hs_lastmodifieddate\"]}"))).containsExactly(b, a, old);
  }

  @Test
  void operators() throws Exception {
    String ann = hubspot.createRecord(HubSpotObjectType.DEALS, Map.of("dealname", "Ann big deal", "amount", "900")).id();
    String bob = hubspot.createRecord(HubSpotObjectType.DEALS, Map.of("dealname", "Bob", "amount", "100")).id();
    String cid = hubspot.createRecord(HubSpotObjectType.DEALS, Map.of("dealname", "Cid small-deal")).id();
    String f = "{\"filterGroups\":[{\"filters\":[%s]}]}";
    assertThat(ids(search("deals", f.formatted("{\"propertyName\":\"amount\",\"operator\":\"GT\",\"value\":\"150\"}")))).containsExactly(ann);
    assertThat(ids(search("deals", f.formatted("{\"propertyName\":\"amount\",\"operator\":\"LTE\",\"value\":100}")))).containsExactly(bob);
    assertThat(ids(search("deals", f.formatted("{\"propertyName\":\"amount\",\"operator\":\"BETWEEN\",\"value\":\"50\",\"highValue\":\"1000\"}")))).containsExactly(ann, bob);
    assertThat(ids(search("deals", f.formatted("{\"propertyName\":\"dealname\",\"operator\":\"EQ\",\"value\":\"bob\"}")))).containsExactly(bob);
    assertThat(ids(search("deals", f.formatted("{\"propertyName\":\"dealname\",\"operator\":\"NEQ\",\"value\":\"Bob\"}")))).containsExactly(ann, cid);
    assertThat(ids(search("deals", f.formatted("{\"propertyName\":\"amount\",\"operator\":\"HAS_PROPERTY\"}")))).containsExactly(ann, bob);
    assertThat(ids(search("deals", f.formatted("{\"propertyName\":\"amount\",\"operator\":\"NOT_HAS_PROPERTY\"}")))).containsExactly(cid);
    assertThat(ids(search("deals", f.formatted("{\"propertyName\":\"amount\",\"operator\":\"IN\",\"values\":[\"100\",\"900\"]}")))).containsExactly(ann, bob);
    assertThat(ids(search("deals", f.formatted("{\"propertyName\":\"dealname\",\"operator\":\"NOT_IN\",\"values\":[\"bob\"]}")))).containsExactly(ann, cid);
    assertThat(ids(search("deals", f.formatted("{\"propertyName\":\"dealname\",\"operator\":\"CONTAINS_TOKEN\",\"value\":\"deal\"}")))).containsExactly(ann, cid);
    assertThat(ids(search("deals", f.formatted("{\"propertyName\":\"dealname\",\"operator\":\"CONTAINS_TOKEN\",\"value\":\"sm*\"}")))).containsExactly(cid);
    assertThat(ids(search("deals", f.formatted("{\"propertyName\":\"amount\",\"operator\":\"LT\",\"value\":\"1000\"}")))).containsExactly(ann, bob);
    assertThat(ids(search("deals", f.formatted("{\"propertyName\":\"hs_object_id\",\"operator\":\"GTE\",\"value\":\"" + bob + "\"}")))).containsExactly(bob, cid);
    // Two groups are ORed.
    assertThat(ids(search("deals", "{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"dealname\",\"operator\":\"EQ\",\"value\":\"Bob\"}]},"
        + "{\"filters\":[{\"propertyName\":\"amount\",\"operator\":\"NOT_HAS_PROPERTY\"}]}]}"))).containsExactly(bob, cid);
    Http.Response bad = http.post("/crm/v3/objects/deals/search", f.formatted("{\"propertyName\":\"amount\",\"operator\":\"LIKE\",\"value\":\"1\"}"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().get("category").asText()).isEqualTo("VALIDATION_ERROR");
  }

  @Test
  void pagesWithAfterAndRejectsAfterBeyondTenThousand() throws Exception {
    hubspot.generate(new HubSpotDataGenerator.Spec(7, 450, 1, 0, 0, 0, 0, false));
    JsonNode p1 = search("contacts", "{\"limit\":200}");
    assertThat(p1.get("total").asInt()).isEqualTo(450);
    assertThat(p1.get("results")).hasSize(200);
    String after = p1.get("paging").get("next").get("after").asText();
    JsonNode p3 = search("contacts", "{\"limit\":200,\"after\":\"400\"}");
    assertThat(p3.get("results")).hasSize(50);
    assertThat(p3.has("paging")).isFalse();
    assertThat(search("contacts", "{\"limit\":200,\"after\":\"" + after + "\"}").get("results").get(0).get("id").asText())
        .isNotEqualTo(p1.get("results").get(0).get("id").asText());

    Http.Response tooFar = http.post("/crm/v3/objects/contacts/search", "{\"limit\":100,\"after\":\"10000\"}");
    assertThat(tooFar.status()).isEqualTo(400);
    assertThat(tooFar.header("Content-Type")).startsWith("application/json");
    assertThat(tooFar.json().get("category").asText()).isEqualTo("VALIDATION_ERROR");
    assertThat(http.post("/crm/v3/objects/contacts/search", "{\"limit\":201}").status()).isEqualTo(400);
  }

  @Test
  void filterCapsAreEnforced() throws Exception {
    StringBuilder groups = new StringBuilder();
    for (int i = 0; i < 7; i++) groups.append(i == 0 ? "" : ",").append("{\"filters\":[{\"propertyName\":\"email\",\"operator\":\"HAS_PROPERTY\"}]}");
    assertThat(http.post("/crm/v3/objects/contacts/search", "{\"filterGroups\":[" + groups + "]}").status()).isEqualTo(400);
    StringBuilder six = new StringBuilder();
    for (int i = 0; i < 6; i++) six.append(i == 0 ? "" : ",").append("{\"filters\":[{\"propertyName\":\"email\",\"operator\":\"HAS_PROPERTY\"}]}");
    assertThat(http.post("/crm/v3/objects/contacts/search", "{\"filterGroups\":[" + six + "]}").status()).isEqualTo(200);
  }

  @Test
  void indexLagHidesNewRecordsAndShowsOldValuesOfChangedOnes() throws Exception {
    hubspot.setSearchIndexLag(Duration.ofSeconds(3));
    String id = hubspot.createRecord(HubSpotObjectType.CONTACTS, Map.of("email", "lag@x.com", "firstname", "Before")).id();
    assertThat(search("contacts", "{}").get("total").asInt()).isZero();
    // A list (not search) sees it at once.
    assertThat(http.get("/crm/v3/objects/contacts").json().get("results")).hasSize(1);
    clock.advance(Duration.ofSeconds(3));
    assertThat(ids(search("contacts", "{\"properties\":[\"firstname\"]}"))).containsExactly(id);

    hubspot.updateRecord(HubSpotObjectType.CONTACTS, id, Map.of("firstname", "After"));
    JsonNode stale = search("contacts", "{\"properties\":[\"firstname\"]}");
    assertThat(stale.get("results").get(0).get("properties").get("firstname").asText()).isEqualTo("Before");
    String eq = "{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"firstname\",\"operator\":\"EQ\",\"value\":\"After\"}]}]}";
    assertThat(search("contacts", eq).get("total").asInt()).isZero();
    clock.advance(Duration.ofSeconds(3));
    assertThat(search("contacts", eq).get("total").asInt()).isEqualTo(1);
  }

  @Test
  void archivedRecordsAreNotSearchable() throws Exception {
    String keep = hubspot.createRecord(HubSpotObjectType.TICKETS, Map.of("subject", "keep")).id();
    String gone = hubspot.createRecord(HubSpotObjectType.TICKETS, Map.of("subject", "gone")).id();
    hubspot.archiveRecord(HubSpotObjectType.TICKETS, gone);
    assertThat(ids(search("tickets", "{}"))).containsExactly(keep);
    assertThat(ids(search("tickets", "{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"hs_object_id\",\"operator\":\"EQ\",\"value\":\"" + gone + "\"}]}]}"))).isEmpty();
  }
}
