package dev.sluice.sandbox.hubspot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.sandbox.ManualClock;
import dev.sluice.sandbox.Sandbox;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The JSON admin API under /_admin/hubspot: changes made there show in the HubSpot API. */
class HubSpotAdminApiTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private Sandbox sandbox;
  private Http admin;
  private Http api;

  @BeforeEach
  void start() {
    sandbox = Sandbox.builder().port(0).clock(clock).hubspot(HubSpotOptions.builder().tier(HubSpotTier.STARTER).build()).start();
    admin = new Http(sandbox.adminUrl(), null);
    api = new Http(sandbox.baseUrl(), sandbox.hubspot().token());
  }

  @AfterEach
  void stop() {
    sandbox.close();
  }

  @Test
  void editsAsACrmUserMoveLastModifiedAndShowInTheApi() throws Exception {
    Http.Response created = admin.post("/hubspot/objects/contacts", "{\"properties\":{\"email\":\"u@x.com\",\"firstname\":\"U\"}}");
    assertThat(created.status()).isEqualTo(201);
    String id = created.json().get("id").asText();
    admin.post("/clock/advance", "{\"millis\":60000}");
    Http.Response edited = admin.patch("/hubspot/objects/contacts/" + id, "{\"properties\":{\"firstname\":\"Ursula\"}}");
    assertThat(edited.status()).isEqualTo(200);
    JsonNode viaApi = api.get("/crm/v3/objects/contacts/" + id + "?properties=firstname").json();
    assertThat(viaApi.get("properties").get("firstname").asText()).isEqualTo("Ursula");
    assertThat(viaApi.get("properties").get("lastmodifieddate").asText()).isEqualTo("2026-01-01T00:01:00.000Z");

    String other = admin.post("/hubspot/objects/contacts", "{\"properties\":{\"email\":\"v@x.com\"}}").json().get("id").asText();
    Http.Response merged = admin.post("/hubspot/objects/contacts/merge", "{\"primaryObjectId\":\"" + id + "\",\"objectIdToMerge\":\"" + other + "\"}");
    assertThat(merged.status()).isEqualTo(200);
    assertThat(merged.json().get("properties").get("hs_merged_object_ids").asText()).isEqualTo(other);
    assertThat(admin.delete("/hubspot/objects/contacts/" + id).status()).isEqualTo(200);
    assertThat(api.get("/crm/v3/objects/contacts/" + id).status()).isEqualTo(404);
    assertThat(admin.patch("/hubspot/objects/contacts/" + id, "{\"properties\":{}}").status()).isEqualTo(404);
    assertThat(admin.post("/hubspot/objects/widgets", "{\"properties\":{}}").status()).isEqualTo(400);
  }

  @Test
  void generateLimitsAndDescribe() throws Exception {
    JsonNode gen = admin.post("/hubspot/generate", "{\"seed\":3,\"contacts\":300,\"companies\":10,\"deals\":20}").json();
    assertThat(gen.get("created").get("contacts").asInt()).isEqualTo(300);
    assertThat(admin.put("/hubspot/limits", "{\"tier\":\"enterprise\"}").json().get("per_day").asLong()).isEqualTo(1_000_000);
    assertThat(api.get("/crm/v3/objects/deals").header("X-HubSpot-RateLimit-Max")).isEqualTo("190");
    JsonNode described = admin.get("").json();
    assertThat(described.get("hubspot").get("base_url").asText()).isEqualTo(sandbox.baseUrl());
    assertThat(described.get("hubspot").get("token").asText()).isEqualTo(sandbox.hubspot().token());
    assertThat(described.get("admin_url").asText()).isEqualTo(sandbox.adminUrl());
    assertThat(admin.get("/hubspot").json().get("counts").get("contacts").asInt()).isEqualTo(300);
  }

  @Test
  void idsListsLiveAndArchivedIdsOnePerLineAscending() throws Exception {
    admin.post("/hubspot/generate", "{\"seed\":5,\"contacts\":250,\"companies\":3}");
    String archived = sandbox.hubspot().ids(HubSpotObjectType.CONTACTS).get(7);
    sandbox.hubspot().archiveRecord(HubSpotObjectType.CONTACTS, archived);

    Http.Response live = admin.get("/hubspot/ids/contacts");
    assertThat(live.status()).isEqualTo(200);
    assertThat(live.header("Content-Type")).startsWith("text/plain");
    java.util.List<String> lines = live.text().lines().toList();
    assertThat(lines).isEqualTo(sandbox.hubspot().ids(HubSpotObjectType.CONTACTS)).hasSize(249).doesNotContain(archived);
    assertThat(lines.stream().map(Long::parseLong).toList()).isSorted();
    assertThat(live.header("X-Sandbox-Count")).isEqualTo("249");
    assertThat(admin.get("/hubspot/ids/contacts?archived=true").text().lines().toList()).containsExactly(archived);
    assertThat(admin.get("/hubspot/ids/0-2").text().lines().count()).isEqualTo(3);
    assertThat(admin.get("/hubspot/ids/deals").text()).isEmpty();
    assertThat(admin.get("/hubspot/ids/widgets").status()).isEqualTo(404);
  }
}
