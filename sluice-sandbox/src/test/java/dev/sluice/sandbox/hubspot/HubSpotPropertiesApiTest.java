package dev.sluice.sandbox.hubspot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.sandbox.FaultRule;
import dev.sluice.sandbox.ManualClock;
import dev.sluice.sandbox.RecordedRequest;
import dev.sluice.sandbox.Sandbox;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Pins {@code GET /crm/v3/properties/{objectType}}: HubSpot's wire shape, and that it lists what records carry. */
class HubSpotPropertiesApiTest {
  private static final List<HubSpotObjectType> TYPES = List.of(HubSpotObjectType.CONTACTS, HubSpotObjectType.COMPANIES,
      HubSpotObjectType.DEALS, HubSpotObjectType.TICKETS, HubSpotObjectType.TASKS);
  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private Sandbox sandbox;
  private Http http;
  private HubSpotSandbox hubspot;

  @BeforeEach
  void start() {
    sandbox = Sandbox.builder().port(0).clock(clock)
        .hubspot(HubSpotOptions.builder().token("pat-p").customLimits(1_000, 1_000_000)
            .initialData(new HubSpotDataGenerator.Spec(7, 300, 40, 60, 50, 30, 3, true)).build())
        .start();
    hubspot = sandbox.hubspot();
    http = new Http(sandbox.baseUrl(), "pat-p");
  }

  @AfterEach
  void stop() {
    sandbox.close();
  }

  @Test
  void everyPropertyHasHubSpotsShape() throws Exception {
    Http.Response r = http.get("/crm/v3/properties/contacts");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Content-Type")).startsWith("application/json");
    assertThat(r.header("X-HubSpot-RateLimit-Remaining")).isNotNull();
    JsonNode results = r.json().get("results");
    assertThat(r.json().has("paging")).isFalse();
    Map<String, JsonNode> byName = byName(results);
    assertThat(byName).containsKeys("email", "firstname", "lastname", "lifecyclestage", "hs_object_id", "createdate",
        "lastmodifieddate", "sluice_custom_1", "sluice_custom_2", "sluice_custom_3");
    for (JsonNode p : results) {
      assertThat(p.get("name").isTextual()).isTrue();
      for (String field : List.of("label", "type", "fieldType", "groupName", "description", "createdAt", "updatedAt")) {
        assertThat(p.get(field).isTextual()).as(p.get("name") + "." + field).isTrue();
      }
      for (String field : List.of("hasUniqueValue", "hidden", "calculated", "externalOptions", "archived", "formField")) {
        assertThat(p.get(field).isBoolean()).as(p.get("name") + "." + field).isTrue();
      }
      assertThat(p.get("options").isArray()).isTrue();
      assertThat(p.get("displayOrder").isInt()).isTrue();
      JsonNode meta = p.get("modificationMetadata");
      assertThat(meta.get("archivable").isBoolean() && meta.get("readOnlyDefinition").isBoolean()
          && meta.get("readOnlyValue").isBoolean()).as(p.get("name") + ".modificationMetadata").isTrue();
      assertThat(p.get("archived").asBoolean()).isFalse();
      assertThat(Instant.parse(p.get("createdAt").asText())).isNotNull();
    }
    JsonNode stage = byName.get("lifecyclestage");
    assertThat(stage.get("type").asText()).isEqualTo("enumeration");
    assertThat(stage.get("fieldType").asText()).isEqualTo("radio");
    assertThat(stage.get("groupName").asText()).isEqualTo("contactinformation");
    assertThat(stage.get("hubspotDefined").asBoolean()).isTrue();
    JsonNode option = stage.get("options").get(0);
    assertThat(option.get("value").asText()).isEqualTo("subscriber");
    assertThat(option.get("label").asText()).isEqualTo("Subscriber");
    assertThat(option.get("displayOrder").asInt()).isZero();
    assertThat(option.get("hidden").asBoolean()).isFalse();
    JsonNode modified = byName.get("lastmodifieddate");
    assertThat(modified.get("type").asText()).isEqualTo("datetime");
    assertThat(modified.get("calculated").asBoolean()).isTrue();
    assertThat(modified.get("modificationMetadata").get("readOnlyValue").asBoolean()).isTrue();
    assertThat(byName.get("hubspot_owner_id").get("externalOptions").asBoolean()).isTrue();
    // A custom property: defined by the portal's users, so archivable and without hubspotDefined.
    JsonNode custom = byName.get("sluice_custom_1");
    assertThat(custom.get("type").asText()).isEqualTo("string");
    assertThat(custom.get("fieldType").asText()).isEqualTo("text");
    assertThat(custom.has("hubspotDefined")).isFalse();
    assertThat(custom.get("modificationMetadata").get("archivable").asBoolean()).isTrue();
    assertThat(custom.get("modificationMetadata").get("readOnlyDefinition").asBoolean()).isFalse();
    assertThat(custom.get("createdAt").asText()).isEqualTo("2026-01-01T00:00:00.000Z");
  }

  @Test
  void listsEveryPropertyTheRecordsCarryWithTheirEnumerationValues() throws Exception {
    for (HubSpotObjectType type : TYPES) {
      Map<String, JsonNode> byName = byName(http.get("/crm/v3/properties/" + type.plural()).json().get("results"));
      assertThat(byName).containsKeys(type.lastModifiedProperty(), "hs_object_id");
      for (String id : hubspot.ids(type)) {
        HubSpotRecord rec = hubspot.record(type, id).orElseThrow();
        for (Map.Entry<String, String> e : rec.properties().entrySet()) {
          JsonNode def = byName.get(e.getKey());
          if (type == HubSpotObjectType.TASKS && e.getKey().equals("createdate")) continue; // tasks name it hs_createdate
          assertThat(def).as(type.plural() + "." + e.getKey()).isNotNull();
          if (def.get("type").asText().equals("enumeration") && !def.get("externalOptions").asBoolean()) {
            Set<String> values = new HashSet<>();
            def.get("options").forEach(o -> values.add(o.get("value").asText()));
            assertThat(values).as(type.plural() + "." + e.getKey()).contains(e.getValue());
          }
        }
      }
    }
    // The object type id and the singular name reach the same list.
    assertThat(http.get("/crm/v3/properties/0-3").json().get("results").size())
        .isEqualTo(http.get("/crm/v3/properties/deals").json().get("results").size());
  }

  @Test
  void aPropertyWrittenThroughTheApiBecomesACustomProperty() throws Exception {
    assertThat(byName(http.get("/crm/v3/properties/companies").json().get("results"))).doesNotContainKey("favourite_colour");
    clock.advance(java.time.Duration.ofMinutes(5));
    Http.Response created = http.post("/crm/v3/objects/companies", "{\"properties\":{\"name\":\"X\",\"favourite_colour\":\"teal\"}}");
    assertThat(created.status()).isEqualTo(201);
    JsonNode def = byName(http.get("/crm/v3/properties/companies").json().get("results")).get("favourite_colour");
    assertThat(def.get("groupName").asText()).isEqualTo("companyinformation");
    assertThat(def.get("createdAt").asText()).isEqualTo("2026-01-01T00:05:00.000Z");
    Http.Response one = http.get("/crm/v3/properties/companies/favourite_colour");
    assertThat(one.status()).isEqualTo(200);
    assertThat(one.json().get("name").asText()).isEqualTo("favourite_colour");
  }

  @Test
  void archivedListsNoneAndUnknownNamesAreHubSpotErrors() throws Exception {
    Http.Response archived = http.get("/crm/v3/properties/contacts?archived=true");
    assertThat(archived.status()).isEqualTo(200);
    assertThat(archived.json().get("results")).isEmpty();
    assertThat(http.get("/crm/v3/properties/contacts?archived=false").json().get("results")).isNotEmpty();

    Http.Response unknownType = http.get("/crm/v3/properties/widgets");
    assertThat(unknownType.status()).isEqualTo(400);
    assertThat(unknownType.header("Content-Type")).startsWith("application/json");
    assertError(unknownType.json(), "VALIDATION_ERROR");
    assertThat(unknownType.json().get("message").asText()).contains("widgets");

    Http.Response unknownProperty = http.get("/crm/v3/properties/contacts/no_such_thing");
    assertThat(unknownProperty.status()).isEqualTo(404);
    assertError(unknownProperty.json(), "OBJECT_NOT_FOUND");
  }

  @Test
  void sharesAuthLimitsFaultsJournalAndCounters() throws Exception {
    assertThat(new Http(sandbox.baseUrl(), null).get("/crm/v3/properties/contacts").status()).isEqualTo(401);
    assertThat(new Http(sandbox.baseUrl(), "pat-wrong").get("/crm/v3/properties/contacts").status()).isEqualTo(401);

    sandbox.faults().add(FaultRule.tooManyRequests(1.0).onPath("/crm/v3/properties").times(1));
    Http.Response injected = http.get("/crm/v3/properties/deals");
    assertThat(injected.status()).isEqualTo(429);
    assertThat(injected.json().get("policyName").asText()).isEqualTo("TEN_SECONDLY_ROLLING");
    assertThat(http.get("/crm/v3/properties/deals").status()).isEqualTo(200);
    // Answered calls count under the route; calls stopped before it (401, injected 429) under their path.
    assertThat(sandbox.counters().requests("GET /crm/v3/properties/{type}")).isEqualTo(1);
    assertThat(sandbox.counters().requests()).isEqualTo(4);
    assertThat(sandbox.counters().tooManyRequestsServed()).isEqualTo(1);
    assertThat(sandbox.journal().withPathPrefix("/crm/v3/properties/deals")).extracting(RecordedRequest::fault)
        .containsExactly("TOO_MANY_REQUESTS", null);

    // The ten-second window counts property reads like any other call.
    hubspot.setLimits(3, 1_000_000);
    hubspot.resetRateLimits();
    for (int i = 0; i < 3; i++) assertThat(http.get("/crm/v3/properties/tickets").status()).isEqualTo(200);
    Http.Response limited = http.get("/crm/v3/properties/tickets");
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.json().get("errorType").asText()).isEqualTo("RATE_LIMIT");
  }

  private static void assertError(JsonNode body, String category) {
    assertThat(body.get("status").asText()).isEqualTo("error");
    assertThat(body.get("category").asText()).isEqualTo(category);
    assertThat(body.get("message").asText()).isNotBlank();
    assertThat(body.get("correlationId").asText()).isNotBlank();
  }

  private static Map<String, JsonNode> byName(JsonNode results) {
    Map<String, JsonNode> out = new HashMap<>();
    results.forEach(p -> assertThat(out.put(p.get("name").asText(), p)).as("duplicate " + p.get("name")).isNull());
    return out;
  }
}
