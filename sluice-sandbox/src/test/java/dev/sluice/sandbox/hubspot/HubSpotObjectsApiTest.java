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

/** Pins the v3 objects wire shapes of crm-apis.md: list, get, batch, create, update, archive, auth. */
class HubSpotObjectsApiTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2024-09-11T13:27:39.356Z"));
  private Sandbox sandbox;
  private Http http;
  private HubSpotSandbox hubspot;

  @BeforeEach
  void start() {
    sandbox = Sandbox.builder().port(0).clock(clock)
        .hubspot(HubSpotOptions.builder().token("pat-test").customLimits(10_000, 1_000_000).build()).start();
    hubspot = sandbox.hubspot();
    http = new Http(sandbox.baseUrl(), "pat-test");
  }

  @AfterEach
  void stop() {
    sandbox.close();
  }

  @Test
  void listPagesInIdOrderWithTheDocumentedShape() throws Exception {
    HubSpotRecord company = hubspot.createRecord(HubSpotObjectType.COMPANIES, Map.of("name", "Acme"));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      clock.advance(Duration.ofSeconds(1));
      ids.add(hubspot.createRecord(HubSpotObjectType.CONTACTS, Map.of("email", "c" + i + "@example.com")).id());
    }
    hubspot.associate(HubSpotObjectType.CONTACTS, ids.get(0), HubSpotObjectType.COMPANIES, company.id());

    Http.Response first = http.get("/crm/v3/objects/contacts?properties=email&associations=companies&archived=false");
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.header("Content-Type")).startsWith("application/json");
    JsonNode body = first.json();
    assertThat(body.get("results")).hasSize(10); // default limit
    JsonNode r0 = body.get("results").get(0);
    assertThat(r0.get("id").asText()).isEqualTo(ids.get(0));
    assertThat(r0.get("properties").get("email").asText()).isEqualTo("c0@example.com");
    assertThat(r0.get("properties").get("hs_object_id").asText()).isEqualTo(ids.get(0));
    assertThat(r0.get("properties").get("lastmodifieddate").asText()).isEqualTo("2024-09-11T13:27:40.356Z");
    assertThat(r0.get("createdAt").asText()).isEqualTo("2024-09-11T13:27:40.356Z");
    assertThat(r0.get("updatedAt").asText()).isEqualTo("2024-09-11T13:27:40.356Z");
    assertThat(r0.get("archived").asBoolean()).isFalse();
    JsonNode assoc = r0.get("associations").get("companies").get("results").get(0);
    assertThat(assoc.get("id").asText()).isEqualTo(company.id());
    assertThat(assoc.get("type").asText()).isEqualTo("contact_to_company");
    assertThat(body.get("results").get(1).has("associations")).isFalse();
    String after = body.get("paging").get("next").get("after").asText();
    assertThat(after).isEqualTo(ids.get(10));
    assertThat(body.get("paging").get("next").get("link").asText()).isEqualTo(sandbox.baseUrl() + "/crm/v3/objects/contacts?after=" + after);

    // Repeated parameters work like comma-separated ones; the last page has no paging.
    JsonNode last = http.get("/crm/v3/objects/contacts?limit=100&after=" + ids.get(20) + "&properties=email&properties=firstname").json();
    assertThat(last.get("results")).hasSize(5);
    assertThat(last.has("paging")).isFalse();
    assertThat(last.get("results").get(0).get("properties").has("firstname")).isTrue();
    assertThat(last.get("results").get(0).get("properties").get("firstname").isNull()).isTrue();
  }

  @Test
  void listLimitAbove100IsRejected() throws Exception {
    Http.Response r = http.get("/crm/v3/objects/contacts?limit=101");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("category").asText()).isEqualTo("VALIDATION_ERROR");
    assertThat(r.json().get("status").asText()).isEqualTo("error");
    assertThat(r.json().has("correlationId")).isTrue();
  }

  @Test
  void missingOrWrongTokenIs401WithHubSpotsBody() throws Exception {
    Http.Response none = new Http(sandbox.baseUrl(), null).get("/crm/v3/objects/contacts");
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.header("Content-Type")).startsWith("application/json");
    assertThat(none.json().get("category").asText()).isEqualTo("INVALID_AUTHENTICATION");
    assertThat(none.json().get("status").asText()).isEqualTo("error");
    Http.Response wrong = new Http(sandbox.baseUrl(), "pat-other").get("/crm/v3/objects/contacts");
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.json().get("category").asText()).isEqualTo("INVALID_AUTHENTICATION");
    assertThat(wrong.json().get("message").asText()).isNotBlank();
  }

  @Test
  void batchReadAnswers207WithOneErrorForMissingIds() throws Exception {
    String a = hubspot.createRecord(HubSpotObjectType.CONTACTS, Map.of("email", "a@b.com", "firstname", "A")).id();
    Http.Response r = http.post("/crm/v3/objects/contacts/batch/read",
        "{\"properties\":[\"email\"],\"inputs\":[{\"id\":\"" + a + "\"},{\"id\":\"999999\"}]}");
    assertThat(r.status()).isEqualTo(207);
    JsonNode body = r.json();
    assertThat(body.get("status").asText()).isEqualTo("COMPLETE");
    assertThat(body.get("results")).hasSize(1);
    assertThat(body.get("results").get(0).get("properties").get("email").asText()).isEqualTo("a@b.com");
    assertThat(body.get("numErrors").asInt()).isEqualTo(1);
    JsonNode err = body.get("errors").get(0);
    assertThat(err.get("status").asText()).isEqualTo("error");
    assertThat(err.get("category").asText()).isEqualTo("OBJECT_NOT_FOUND");
    assertThat(err.get("context").get("ids").get(0).asText()).isEqualTo("999999");
    assertThat(body.has("startedAt")).isTrue();
    assertThat(body.has("completedAt")).isTrue();

    Http.Response ok = http.post("/crm/v3/objects/contacts/batch/read", "{\"inputs\":[{\"id\":\"" + a + "\"}]}");
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.json().has("numErrors")).isFalse();
    Http.Response byEmail = http.post("/crm/v3/objects/contacts/batch/read",
        "{\"idProperty\":\"email\",\"properties\":[\"firstname\"],\"inputs\":[{\"id\":\"A@B.COM\"}]}");
    assertThat(byEmail.status()).isEqualTo(200);
    assertThat(byEmail.json().get("results").get(0).get("id").asText()).isEqualTo(a);
  }

  @Test
  void batchCreateIs201AndUpsertCarriesNew() throws Exception {
    Http.Response created = http.post("/crm/v3/objects/contacts/batch/create",
        "{\"inputs\":[{\"properties\":{\"email\":\"x@y.com\",\"firstname\":\"X\"},\"objectWriteTraceId\":\"t1\"}]}");
    assertThat(created.status()).isEqualTo(201);
    JsonNode r = created.json().get("results").get(0);
    assertThat(r.get("properties").get("firstname").asText()).isEqualTo("X");
    assertThat(r.get("archived").asBoolean()).isFalse();
    String id = r.get("id").asText();

    Http.Response upsert = http.post("/crm/v3/objects/contacts/batch/upsert",
        "{\"inputs\":[{\"idProperty\":\"email\",\"id\":\"X@Y.com\",\"properties\":{\"firstname\":\"Xavier\"}},"
            + "{\"idProperty\":\"email\",\"id\":\"new@y.com\",\"properties\":{\"firstname\":\"N\"}}]}");
    assertThat(upsert.status()).isEqualTo(200);
    JsonNode results = upsert.json().get("results");
    assertThat(results.get(0).get("id").asText()).isEqualTo(id);
    assertThat(results.get(0).get("new").asBoolean()).isFalse();
    assertThat(results.get(1).get("new").asBoolean()).isTrue();
    assertThat(results.get(1).get("properties").get("email").asText()).isEqualTo("new@y.com");
    assertThat(hubspot.record(HubSpotObjectType.CONTACTS, id).orElseThrow().property("firstname")).isEqualTo("Xavier");
  }

  @Test
  void anUpsertCreatingAContactWithAnInvalidEmailFailsAloneWithAValidationError() throws Exception {
    Http.Response r = http.post("/crm/v3/objects/contacts/batch/upsert",
        "{\"inputs\":[{\"idProperty\":\"email\",\"id\":\"ann..b@example.com\",\"properties\":{},\"objectWriteTraceId\":\"bad\"},"
            + "{\"idProperty\":\"email\",\"id\":\"fine.person@example.com\",\"properties\":{},\"objectWriteTraceId\":\"ok\"}]}");
    assertThat(r.status()).isEqualTo(207);
    assertThat(r.json().get("results").size()).isEqualTo(1);
    JsonNode error = r.json().get("errors").get(0);
    assertThat(error.get("category").asText()).isEqualTo("VALIDATION_ERROR");
    assertThat(error.get("message").asText()).contains("ann..b@example.com is invalid");
    assertThat(error.get("context").get("objectWriteTraceId").get(0).asText()).isEqualTo("bad");
  }

  @Test
  void batchUpsertsValidateTheEmailAsHubSpotDoes() throws Exception {
    int before = hubspot.count(HubSpotObjectType.CONTACTS);
    Http.Response upsert = http.post("/crm/v3/objects/contacts/batch/upsert",
        "{\"inputs\":[{\"idProperty\":\"email\",\"id\":\"fine@example.com\",\"properties\":{\"firstname\":\"F\"}},"
            + "{\"idProperty\":\"email\",\"id\":\"not an address\",\"properties\":{\"firstname\":\"N\"},\"objectWriteTraceId\":\"bad-1\"},"
            + "{\"idProperty\":\"email\",\"id\":\"fine@example.com\",\"properties\":{\"email\":\"x@@y\"}}]}");
    assertThat(upsert.status()).isEqualTo(207);
    JsonNode body = upsert.json();
    assertThat(body.get("results")).hasSize(1);
    assertThat(body.get("numErrors").asInt()).isEqualTo(2);
    JsonNode err = body.get("errors").get(0);
    assertThat(err.get("category").asText()).isEqualTo("VALIDATION_ERROR");
    assertThat(err.get("message").asText()).contains("INVALID_EMAIL").contains("Email address not an address is invalid");
    assertThat(err.get("context").get("objectWriteTraceId").get(0).asText()).isEqualTo("bad-1");
    assertThat(body.get("errors").get(1).get("message").asText()).contains("Email address x@@y is invalid");
    // Only the valid input was stored; the invalid one is no contact, and the good one kept its address.
    assertThat(hubspot.count(HubSpotObjectType.CONTACTS)).isEqualTo(before + 1);
    String id = body.get("results").get(0).get("id").asText();
    assertThat(hubspot.record(HubSpotObjectType.CONTACTS, id).orElseThrow().property("email")).isEqualTo("fine@example.com");
    // Creates and single updates check it too.
    assertThat(http.post("/crm/v3/objects/contacts", "{\"properties\":{\"email\":\"a@b\"}}").status()).isEqualTo(400);
    assertThat(http.patch("/crm/v3/objects/contacts/" + id, "{\"properties\":{\"email\":\"@example.com\"}}").status()).isEqualTo(400);
    assertThat(WriteInput.validEmail("first.last+tag@sub.example.co.uk")).isTrue();
    assertThat(WriteInput.validEmail("first..last@example.com")).isFalse();
    assertThat(WriteInput.validEmail("name@example")).isFalse();
  }

  @Test
  void batchErrorsCarryTheTraceIdAndTooManyInputsIs400() throws Exception {
    Http.Response r = http.post("/crm/v3/objects/contacts/batch/update",
        "{\"inputs\":[{\"id\":\"424242\",\"properties\":{\"firstname\":\"B\"},\"objectWriteTraceId\":\"t2\"}]}");
    assertThat(r.status()).isEqualTo(207);
    assertThat(r.json().get("numErrors").asInt()).isEqualTo(1);
    assertThat(r.json().get("errors").get(0).get("context").get("objectWriteTraceId").get(0).asText()).isEqualTo("t2");

    StringBuilder inputs = new StringBuilder();
    for (int i = 0; i < 101; i++) inputs.append(i == 0 ? "" : ",").append("{\"id\":\"").append(i + 1).append("\"}");
    Http.Response tooMany = http.post("/crm/v3/objects/contacts/batch/read", "{\"inputs\":[" + inputs + "]}");
    assertThat(tooMany.status()).isEqualTo(400);
    assertThat(tooMany.json().get("category").asText()).isEqualTo("VALIDATION_ERROR");
  }

  @Test
  void archiveMovesRecordsToTheArchivedList() throws Exception {
    String id = hubspot.createRecord(HubSpotObjectType.DEALS, Map.of("dealname", "D")).id();
    clock.advance(Duration.ofMinutes(1));
    Http.Response r = http.post("/crm/v3/objects/deals/batch/archive", "{\"inputs\":[{\"id\":\"" + id + "\"}]}");
    assertThat(r.status()).isEqualTo(204);
    assertThat(http.get("/crm/v3/objects/deals").json().get("results")).isEmpty();
    JsonNode archived = http.get("/crm/v3/objects/deals?archived=true").json().get("results").get(0);
    assertThat(archived.get("id").asText()).isEqualTo(id);
    assertThat(archived.get("archived").asBoolean()).isTrue();
    assertThat(archived.get("archivedAt").asText()).isEqualTo("2024-09-11T13:28:39.356Z");
    assertThat(archived.get("properties").get("hs_lastmodifieddate").asText()).isEqualTo("2024-09-11T13:28:39.356Z");
    assertThat(http.get("/crm/v3/objects/deals/" + id).status()).isEqualTo(404);
  }

  @Test
  void singleWritesAndTasksRequireHsTimestamp() throws Exception {
    String contact = hubspot.createRecord(HubSpotObjectType.CONTACTS, Map.of("email", "t@t.com")).id();
    Http.Response noTs = http.post("/crm/v3/objects/tasks", "{\"properties\":{\"hs_task_subject\":\"x\"}}");
    assertThat(noTs.status()).isEqualTo(400);
    assertThat(noTs.json().get("category").asText()).isEqualTo("VALIDATION_ERROR");
    Http.Response task = http.post("/crm/v3/objects/tasks",
        "{\"properties\":{\"hs_timestamp\":\"2019-10-30T03:30:17.883Z\",\"hs_task_subject\":\"Follow-up\",\"hs_task_status\":\"NOT_STARTED\","
            + "\"hs_task_priority\":\"HIGH\",\"hs_task_type\":\"CALL\",\"hubspot_owner_id\":\"64492917\"},"
            + "\"associations\":[{\"to\":{\"id\":" + contact + "},\"types\":[{\"associationCategory\":\"HUBSPOT_DEFINED\",\"associationTypeId\":204}]}]}");
    assertThat(task.status()).isEqualTo(201);
    String taskId = task.json().get("id").asText();
    assertThat(task.json().get("properties").get("hs_task_subject").asText()).isEqualTo("Follow-up");
    assertThat(hubspot.record(HubSpotObjectType.TASKS, taskId).orElseThrow().associated(HubSpotObjectType.CONTACTS)).containsExactly(contact);

    Http.Response patched = http.patch("/crm/v3/objects/contacts/" + contact, "{\"properties\":{\"firstname\":\"Tina\"}}");
    assertThat(patched.status()).isEqualTo(200);
    assertThat(patched.json().get("properties").get("firstname").asText()).isEqualTo("Tina");
    Http.Response dup = http.post("/crm/v3/objects/contacts", "{\"properties\":{\"email\":\"T@T.com\"}}");
    assertThat(dup.status()).isEqualTo(409);
    assertThat(dup.json().get("category").asText()).isEqualTo("CONFLICT");
    assertThat(http.delete("/crm/v3/objects/contacts/" + contact).status()).isEqualTo(204);
    assertThat(hubspot.record(HubSpotObjectType.CONTACTS, contact).orElseThrow().archived()).isTrue();
  }

  @Test
  void unknownObjectTypeAndUnknownPathAnswerJson() throws Exception {
    Http.Response r = http.get("/crm/v3/objects/widgets");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.header("Content-Type")).startsWith("application/json");
    Http.Response unknown = http.get("/crm/v3/nothing/here/at/all");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.header("Content-Type")).startsWith("application/json");
  }
}
