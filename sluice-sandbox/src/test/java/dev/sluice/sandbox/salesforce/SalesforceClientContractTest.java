package dev.sluice.sandbox.salesforce;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.sandbox.ManualClock;
import dev.sluice.sandbox.NodeClients;
import dev.sluice.sandbox.Sandbox;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sandbox's Salesforce as jsforce 3 (Salesforce's most used Node client) sees it: every call a
 * connector makes, at jsforce's default API version. The script is {@code clients/salesforce.mjs}.
 */
class SalesforceClientContractTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2026-03-11T15:00:00Z");
  private static Sandbox server;
  private static SalesforceSandbox sandbox;
  private static NodeClients.Report report;

  @BeforeAll
  static void driveWithJsforce() throws Exception {
    sandbox = new SalesforceSandbox(SalesforceOptions.builder().build());
    server = Sandbox.builder().clock(new ManualClock(NOW)).platform(sandbox).start();
    report = NodeClients.run("salesforce.mjs", Map.of("SF_INSTANCE", server.baseUrl(),
        "SF_TOKEN", SalesforceOptions.DEFAULT_ACCESS_TOKEN, "SF_NOW", NOW.toString()), 120);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void servesJsforcesDefaultVersionAndDescribesFieldsForMappingValidation() {
    assertThat(report.ok("version").asText()).isEqualTo("50.0");
    assertThat(report.ok("describeGlobal")).extracting(JsonNode::asText).contains("Account", "Contact", "Lead", "Opportunity");
    JsonNode d = report.ok("describeContact");
    assertThat(d.at("/Id/type").asText()).isEqualTo("id");
    assertThat(d.at("/Id/idLookup").asBoolean()).isTrue();
    assertThat(d.at("/Email/idLookup").asBoolean()).isTrue();
    assertThat(d.at("/Email/externalId").asBoolean()).isFalse();
    assertThat(d.at("/External_Id__c/externalId").asBoolean()).isTrue();
    assertThat(d.at("/External_Id__c/unique").asBoolean()).isTrue();
    assertThat(d.at("/LastName/nillable").asBoolean()).isFalse();
    assertThat(d.at("/Email/nillable").asBoolean()).isTrue();
    assertThat(d.at("/CreatedDate/updateable").asBoolean()).isFalse();
    assertThat(d.at("/CreatedDate/type").asText()).isEqualTo("datetime");
    assertThat(d.at("/LeadSource/type").asText()).isEqualTo("picklist");
    assertThat(d.at("/LeadSource/picklist")).extracting(JsonNode::asText).contains("Web", "Partner Referral");
    assertThat(d.at("/AccountId/relationshipName").asText()).isEqualTo("Account");
    assertThat(d.at("/AccountId/referenceTo/0").asText()).isEqualTo("Account");
  }

  @Test
  void createRetrieveUpdateOneAndManyThroughTheClient() {
    String id = report.ok("create").path("id").asText();
    assertThat(id).startsWith("003").hasSize(18);
    assertThat(report.ok("retrieve").path("LastName").asText()).isEqualTo("Contract");
    assertThat(report.ok("retrieve").path("IsDeleted").asBoolean(true)).isFalse();
    assertThat(report.ok("update").path("success").asBoolean()).isTrue();
    assertThat(sandbox.record("Contact", id).orElseThrow().get("Title")).isEqualTo("Buyer");
    assertThat(report.ok("createMany")).hasSize(2).allSatisfy(r -> assertThat(r.path("success").asBoolean()).isTrue());
    assertThat(report.ok("updateMany")).hasSize(2).allSatisfy(r -> assertThat(r.path("success").asBoolean()).isTrue());
    JsonNode many = report.ok("retrieveMany");
    assertThat(many.get(0).path("Id").asText()).isEqualTo(id);
    assertThat(many.get(1).path("Title").asText()).isEqualTo("Title 0");
  }

  @Test
  void upsertsOnlyByExternalIdOrIdLookupFields() {
    assertThat(report.ok("upsertCreate").path("created").asBoolean()).isTrue();
    // jsforce's default 50.0 is past 46.0: an update answers 200 with created=false.
    assertThat(report.ok("upsertUpdate").path("created").asBoolean(true)).isFalse();
    assertThat(report.ok("upsertByEmail").path("success").asBoolean()).isTrue();
    JsonNode byLastName = report.failed("upsertByLastName");
    assertThat(byLastName.path("errorCode").asText()).isEqualTo("INVALID_FIELD");
    assertThat(byLastName.path("message").asText()).contains("is not an External ID or indexed field for Contact");
    List<Boolean> created = new ArrayList<>();
    report.ok("upsertMany").forEach(r -> created.add(r.path("created").asBoolean()));
    assertThat(created).containsExactly(true, false);
  }

  @Test
  void soqlDateLiteralsAndParentRelationshipFields() {
    JsonNode rows = report.ok("queryDateLiteralAndParent");
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).path("Account").isNull()).isTrue();
    JsonNode parents = report.ok("queryParentFilter");
    assertThat(parents).isNotEmpty().allSatisfy(n -> assertThat(n.asText()).isNotBlank());
  }

  @Test
  void deleteGoesToTheRecycleBinSeenByQueryAllAndGetDeleted() {
    String deletedId = report.ok("createMany").get(1).path("id").asText();
    assertThat(report.ok("destroy").path("success").asBoolean()).isTrue();
    assertThat(report.failed("destroyAgain").path("errorCode").asText()).isEqualTo("ENTITY_IS_DELETED");
    assertThat(report.ok("queryAfterDelete").asInt()).isZero();
    assertThat(report.ok("queryAll")).extracting(JsonNode::asBoolean).containsExactly(true);
    assertThat(report.ok("deleted")).extracting(JsonNode::asText).containsExactly(deletedId);
    assertThat(report.ok("updated")).extracting(JsonNode::asText)
        .contains(report.ok("create").path("id").asText()).doesNotContain(deletedId);
  }

  @Test
  void unknownResourcesAnswerSalesforcesErrorArray() {
    assertThat(report.failed("unknownResource").path("errorCode").asText()).isEqualTo("NOT_FOUND");
    assertThat(report.failed("unknownObject").path("errorCode").asText()).isEqualTo("NOT_FOUND");
  }

  @Test
  void servesEveryVersionFrom31To65() throws Exception {
    try (HttpClient http = HttpClient.newHttpClient()) {
      JsonNode versions = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/services/data")).build(),
          HttpResponse.BodyHandlers.ofString()).body());
      assertThat(versions).hasSize(35);
      assertThat(versions.get(0).path("version").asText()).isEqualTo("31.0");
      assertThat(versions.get(0).path("label").asText()).isEqualTo("Summer '14");
      assertThat(versions.get(34).path("label").asText()).isEqualTo("Winter '26");
      HttpResponse<String> old = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/services/data/v30.0/limits"))
          .header("Authorization", "Bearer " + SalesforceOptions.DEFAULT_ACCESS_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(old.statusCode()).isEqualTo(404);
      assertThat(JSON.readTree(old.body()).get(0).path("errorCode").asText()).isEqualTo("NOT_FOUND");
    }
  }
}
