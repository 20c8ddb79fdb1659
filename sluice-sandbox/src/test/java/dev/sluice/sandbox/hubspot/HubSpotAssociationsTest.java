package dev.sluice.sandbox.hubspot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.sandbox.Sandbox;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** v4 associations: batch read shapes (200 / 207), default association create, merges. */
class HubSpotAssociationsTest {
  private Sandbox sandbox;
  private HubSpotSandbox hubspot;
  private Http http;

  @BeforeEach
  void start() {
    sandbox = Sandbox.builder().port(0).hubspot(HubSpotOptions.defaults()).start();
    hubspot = sandbox.hubspot();
    http = new Http(sandbox.baseUrl(), hubspot.token());
  }

  @AfterEach
  void stop() {
    sandbox.close();
  }

  @Test
  void batchReadGivesNumericToObjectIdsAnd207ForInputsWithoutAssociations() throws Exception {
    String contact = hubspot.createRecord(HubSpotObjectType.CONTACTS, Map.of("email", "a@b.com")).id();
    String lonely = hubspot.createRecord(HubSpotObjectType.CONTACTS, Map.of("email", "l@b.com")).id();
    String company = hubspot.createRecord(HubSpotObjectType.COMPANIES, Map.of("name", "Acme")).id();
    Http.Response put = http.put("/crm/v4/objects/contacts/" + contact + "/associations/default/companies/" + company, "");
    assertThat(put.status()).isEqualTo(200);
    JsonNode spec = put.json().get("results").get(0);
    assertThat(spec.get("associationSpec").get("associationTypeId").asInt()).isEqualTo(279);
    assertThat(spec.get("associationSpec").get("associationCategory").asText()).isEqualTo("HUBSPOT_DEFINED");

    Http.Response ok = http.post("/crm/v4/associations/contacts/companies/batch/read", "{\"inputs\":[{\"id\":\"" + contact + "\"}]}");
    assertThat(ok.status()).isEqualTo(200);
    JsonNode r = ok.json();
    assertThat(r.get("status").asText()).isEqualTo("COMPLETE");
    assertThat(r.has("startedAt")).isTrue();
    assertThat(r.has("completedAt")).isTrue();
    JsonNode result = r.get("results").get(0);
    assertThat(result.get("from").get("id").asText()).isEqualTo(contact);
    JsonNode to = result.get("to").get(0);
    assertThat(to.get("toObjectId").isNumber()).isTrue();
    assertThat(to.get("toObjectId").asText()).isEqualTo(company);
    // The contact's only company is its primary one: the primary type first, labelled, then the default.
    JsonNode primary = to.get("associationTypes").get(0);
    assertThat(primary.get("category").asText()).isEqualTo("HUBSPOT_DEFINED");
    assertThat(primary.get("typeId").asInt()).isEqualTo(1);
    assertThat(primary.get("label").asText()).isEqualTo("Primary");
    JsonNode type = to.get("associationTypes").get(1);
    assertThat(type.get("category").asText()).isEqualTo("HUBSPOT_DEFINED");
    assertThat(type.get("typeId").asInt()).isEqualTo(279);
    assertThat(type.get("label").isNull()).isTrue();

    Http.Response partial = http.post("/crm/v4/associations/contacts/companies/batch/read",
        "{\"inputs\":[{\"id\":\"" + contact + "\"},{\"id\":\"" + lonely + "\"}]}");
    assertThat(partial.status()).isEqualTo(207);
    assertThat(partial.json().get("numErrors").asInt()).isEqualTo(1);
    JsonNode err = partial.json().get("errors").get(0);
    assertThat(err.get("category").asText()).isEqualTo("OBJECT_NOT_FOUND");
    assertThat(err.get("subCategory").asText()).isEqualTo("crm.associations.NO_ASSOCIATIONS_FOUND");
    assertThat(err.get("status").asText()).isEqualTo("error");

    // The reverse direction exists too (company → contact is 280).
    JsonNode back = http.post("/crm/v4/associations/companies/contacts/batch/read", "{\"inputs\":[{\"id\":" + company + "}]}").json();
    assertThat(back.get("results").get(0).get("to").get(0).get("associationTypes").get(0).get("typeId").asInt()).isEqualTo(280);
  }

  @Test
  void onlyThePrimaryCompanyCarriesThePrimaryType() throws Exception {
    String contact = hubspot.createRecord(HubSpotObjectType.CONTACTS, Map.of("email", "p@b.com")).id();
    String first = hubspot.createRecord(HubSpotObjectType.COMPANIES, Map.of("name", "First")).id();
    String second = hubspot.createRecord(HubSpotObjectType.COMPANIES, Map.of("name", "Second")).id();
    hubspot.associate(HubSpotObjectType.CONTACTS, contact, HubSpotObjectType.COMPANIES, second);
    hubspot.associate(HubSpotObjectType.CONTACTS, contact, HubSpotObjectType.COMPANIES, first);
    JsonNode to = http.post("/crm/v4/associations/contacts/companies/batch/read", "{\"inputs\":[{\"id\":\"" + contact + "\"}]}")
        .json().get("results").get(0).get("to");
    assertThat(to).hasSize(2);
    assertThat(to.get(0).get("toObjectId").asText()).isEqualTo(first);
    assertThat(to.get(0).get("associationTypes")).hasSize(2);
    assertThat(to.get(0).get("associationTypes").get(0).get("typeId").asInt()).isEqualTo(1);
    assertThat(to.get(1).get("associationTypes")).hasSize(1);
    assertThat(to.get(1).get("associationTypes").get(0).get("typeId").asInt()).isEqualTo(279);
    // The same on the per-record read; deals have a primary company too (5); companies → contacts has none here.
    JsonNode one = http.get("/crm/v4/objects/contacts/" + contact + "/associations/companies").json().get("results");
    assertThat(one.get(0).get("associationTypes").get(0).get("label").asText()).isEqualTo("Primary");
    String deal = hubspot.createRecord(HubSpotObjectType.DEALS, Map.of("dealname", "D")).id();
    hubspot.associate(HubSpotObjectType.DEALS, deal, HubSpotObjectType.COMPANIES, first);
    JsonNode dealTypes = http.post("/crm/v4/associations/deals/companies/batch/read", "{\"inputs\":[{\"id\":\"" + deal + "\"}]}")
        .json().get("results").get(0).get("to").get(0).get("associationTypes");
    assertThat(dealTypes.get(0).get("typeId").asInt()).isEqualTo(5);
    assertThat(dealTypes.get(1).get("typeId").asInt()).isEqualTo(341);
    JsonNode back = http.post("/crm/v4/associations/companies/contacts/batch/read", "{\"inputs\":[{\"id\":\"" + first + "\"}]}")
        .json().get("results").get(0).get("to").get(0).get("associationTypes");
    assertThat(back).hasSize(1);
  }

  @Test
  void mergeKeepsThePrimaryAndRedirectsTheMergedId() throws Exception {
    String primary = hubspot.createRecord(HubSpotObjectType.CONTACTS, Map.of("email", "p@x.com")).id();
    String merged = hubspot.createRecord(HubSpotObjectType.CONTACTS, Map.of("email", "m@x.com", "phone", "123")).id();
    String company = hubspot.createRecord(HubSpotObjectType.COMPANIES, Map.of("name", "Acme")).id();
    hubspot.associate(HubSpotObjectType.CONTACTS, merged, HubSpotObjectType.COMPANIES, company);
    Http.Response r = http.post("/crm/v3/objects/contacts/merge", "{\"primaryObjectId\":\"" + primary + "\",\"objectIdToMerge\":\"" + merged + "\"}");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("id").asText()).isEqualTo(primary);
    HubSpotRecord p = hubspot.record(HubSpotObjectType.CONTACTS, primary).orElseThrow();
    assertThat(p.property("phone")).isEqualTo("123");
    assertThat(p.property("email")).isEqualTo("p@x.com");
    assertThat(p.associated(HubSpotObjectType.COMPANIES)).containsExactly(company);
    assertThat(hubspot.count(HubSpotObjectType.CONTACTS)).isEqualTo(1);
    assertThat(http.get("/crm/v3/objects/contacts/" + merged).json().get("id").asText()).isEqualTo(primary);
  }

  @Test
  void aResultWithManyAssociationsPagesOnItsOwn() throws Exception {
    String contact = hubspot.createRecord(HubSpotObjectType.CONTACTS, Map.of("email", "many@x.com")).id();
    for (int i = 0; i < 520; i++) {
      String company = hubspot.createRecord(HubSpotObjectType.COMPANIES, Map.of("name", "C" + i)).id();
      hubspot.associate(HubSpotObjectType.CONTACTS, contact, HubSpotObjectType.COMPANIES, company);
    }
    JsonNode first = http.post("/crm/v4/associations/contacts/companies/batch/read", "{\"inputs\":[{\"id\":\"" + contact + "\"}]}").json();
    JsonNode result = first.get("results").get(0);
    assertThat(result.get("to")).hasSize(500);
    String after = result.get("paging").get("next").get("after").asText();
    JsonNode second = http.post("/crm/v4/associations/contacts/companies/batch/read",
        "{\"inputs\":[{\"id\":\"" + contact + "\",\"after\":\"" + after + "\"}]}").json();
    assertThat(second.get("results").get(0).get("to")).hasSize(20);
    assertThat(second.get("results").get(0).has("paging")).isFalse();
  }
}
