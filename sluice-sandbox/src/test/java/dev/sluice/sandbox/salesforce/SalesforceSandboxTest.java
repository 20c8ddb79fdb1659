package dev.sluice.sandbox.salesforce;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.sandbox.ManualClock;
import dev.sluice.sandbox.FaultRule;
import dev.sluice.sandbox.Sandbox;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SalesforceSandboxTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = SalesforceOptions.DEFAULT_ACCESS_TOKEN;

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ManualClock clock = new ManualClock(Instant.parse("2026-03-26T21:35:57Z"));
  private Sandbox server;
  private SalesforceSandbox sandbox;
  private String base;

  private void start(SalesforceOptions.Builder options) {
    // The shared sandbox's clock reaches the platform through attach(): no clock in the options.
    sandbox = new SalesforceSandbox(options.build());
    server = Sandbox.builder().clock(clock).platform(sandbox).start();
    base = (String) sandbox.describe(server.baseUrl()).get("base_url");
  }

  @AfterEach
  void stop() {
    http.close(); // open keep-alive connections would hold up the server's stop
    if (server != null) {
      server.close();
    }
  }

  private HttpResponse<String> get(String pathAndQuery) throws Exception {
    String url = pathAndQuery.startsWith("/services") ? server.baseUrl() + pathAndQuery : base + pathAndQuery;
    return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TOKEN).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> query(String soql) throws Exception {
    return get("/query?q=" + URLEncoder.encode(soql, StandardCharsets.UTF_8));
  }

  private HttpResponse<String> send(String method, String path, Object body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + TOKEN)
        .header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void queryAnswersTheDocumentedShape() throws Exception {
    start(SalesforceOptions.builder().counts(3, 10, 0, 0));
    SObjectRecord first = sandbox.records("Contact").get(0);
    HttpResponse<String> r = query("SELECT Id, Email, LastModifiedDate FROM Contact WHERE Id = '" + first.id() + "'");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Sforce-Limit-Info")).hasValue("api-usage=1/100000");
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("totalSize").asInt()).isEqualTo(1);
    assertThat(body.get("done").asBoolean()).isTrue();
    assertThat(body.has("nextRecordsUrl")).isFalse();
    JsonNode rec = body.get("records").get(0);
    assertThat(iterableNames(rec)).containsExactly("attributes", "Id", "Email", "LastModifiedDate");
    assertThat(rec.get("attributes").get("type").asText()).isEqualTo("Contact");
    assertThat(rec.get("attributes").get("url").asText()).isEqualTo("/services/data/v65.0/sobjects/Contact/" + first.id());
    assertThat(rec.get("Id").asText()).hasSize(18).startsWith("003");
    assertThat(rec.get("LastModifiedDate").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.000\\+0000");
  }

  @Test
  void queryPagesThroughNextRecordsUrlTwoThousandAtATime() throws Exception {
    start(SalesforceOptions.builder().counts(0, 4_500, 0, 0));
    Set<String> ids = new HashSet<>();
    HttpResponse<String> r = query("SELECT Id FROM Contact");
    List<Integer> pageSizes = new ArrayList<>();
    while (true) {
      assertThat(r.statusCode()).isEqualTo(200);
      JsonNode body = JSON.readTree(r.body());
      assertThat(body.get("totalSize").asInt()).isEqualTo(4_500);
      pageSizes.add(body.get("records").size());
      body.get("records").forEach(rec -> ids.add(rec.get("Id").asText()));
      if (body.get("done").asBoolean()) {
        assertThat(body.has("nextRecordsUrl")).isFalse();
        break;
      }
      String next = body.get("nextRecordsUrl").asText();
      assertThat(next).matches("/services/data/v65\\.0/query/01g[0-9A-Za-z]{15}-\\d+");
      r = get(next);
    }
    assertThat(pageSizes).containsExactly(2_000, 2_000, 500);
    assertThat(ids).hasSize(4_500);
  }

  @Test
  void whereOrderByAndLimitMatchAnIndependentFilter() throws Exception {
    start(SalesforceOptions.builder().counts(5, 300, 0, 0));
    Instant cutoff = Instant.parse("2026-01-01T00:00:00Z");
    HttpResponse<String> r = query("SELECT Id, LastName, LastModifiedDate FROM Contact "
        + "WHERE LastModifiedDate > 2026-01-01T00:00:00Z AND (LastName = 'Smith' OR LastName = 'Wang' OR Email = null) "
        + "ORDER BY LastModifiedDate DESC LIMIT 7");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    List<String> expected = sandbox.records("Contact").stream()
        .filter(c -> ((Instant) c.get("LastModifiedDate")).isAfter(cutoff))
        .filter(c -> "smith".equalsIgnoreCase((String) c.get("LastName")) || "wang".equalsIgnoreCase((String) c.get("LastName"))
            || c.get("Email") == null)
        .sorted(Comparator.comparing((SObjectRecord c) -> (Instant) c.get("LastModifiedDate")).reversed())
        .limit(7).map(SObjectRecord::id).toList();
    assertThat(expected).isNotEmpty();
    List<String> got = new ArrayList<>();
    JSON.readTree(r.body()).get("records").forEach(rec -> got.add(rec.get("Id").asText()));
    assertThat(got).isEqualTo(expected);
  }

  @Test
  void countQueriesAnswerTotalSizeWithoutRecords() throws Exception {
    start(SalesforceOptions.builder().counts(2, 30, 0, 0));
    long withEmail = sandbox.records("Contact").stream().filter(c -> c.get("Email") != null).count();
    JsonNode body = JSON.readTree(query("SELECT COUNT() FROM Contact WHERE Email != null").body());
    assertThat(body.get("totalSize").asLong()).isEqualTo(withEmail);
    assertThat(body.get("done").asBoolean()).isTrue();
    assertThat(body.get("records")).isEmpty();
  }

  @Test
  void everyApiAnswerCarriesTheLimitHeader() throws Exception {
    start(SalesforceOptions.builder().counts(0, 1, 0, 0));
    HttpResponse<String> unknownType = get("/sobjects/Widget/001Sx000000000001");
    assertThat(unknownType.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(unknownType.body()).get(0).get("errorCode").asText()).isEqualTo("NOT_FOUND");
    assertThat(unknownType.headers().firstValue("Sforce-Limit-Info")).hasValue("api-usage=1/100000");
    HttpResponse<String> unknownPath = get("/no/such/resource");
    assertThat(unknownPath.statusCode()).isEqualTo(404);
    assertThat(unknownPath.headers().firstValue("Sforce-Limit-Info")).isPresent();
    String id = sandbox.records("Contact").get(0).id();
    JsonNode rec = JSON.readTree(get("/sobjects/Contact/" + id).body());
    assertThat(rec.get("attributes").get("url").asText()).endsWith("/sobjects/Contact/" + id);
    assertThat(rec.get("LastName").isTextual()).isTrue();
  }

  @Test
  void badQueriesAnswerErrorArrays() throws Exception {
    start(SalesforceOptions.builder().counts(0, 1, 0, 0));
    HttpResponse<String> r = query("SELECT Id FROM Contact WHERE LastModifiedDate > '2026-01-01T00:00:00Z'");
    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode err = JSON.readTree(r.body());
    assertThat(err.isArray()).isTrue();
    assertThat(err.get(0).get("errorCode").asText()).isEqualTo("INVALID_FIELD");
    assertThat(err.get(0).get("fields").isArray()).isTrue();
    assertThat(JSON.readTree(query("SELECT Id FROM").body()).get(0).get("errorCode").asText()).isEqualTo("MALFORMED_QUERY");
    assertThat(JSON.readTree(query("SELECT Id FROM Case").body()).get(0).get("errorCode").asText()).isEqualTo("INVALID_TYPE");
  }

  @Test
  void wrongTokenIsInvalidSession() throws Exception {
    start(SalesforceOptions.builder().counts(0, 1, 0, 0));
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/query?q=SELECT+Id+FROM+Contact"))
        .header("Authorization", "Bearer nope").GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("Sforce-Limit-Info")).hasValue("api-usage=0/100000");
    assertThat(JSON.readTree(r.body())).isEqualTo(JSON.readTree(
        "[{\"message\":\"Session expired or invalid\",\"errorCode\":\"INVALID_SESSION_ID\",\"fields\":[]}]"));
    assertThat(sandbox.invalidSessionCount()).isEqualTo(1);
  }

  @Test
  void spentRollingAllocationAnswers403UntilCallsAge24Hours() throws Exception {
    start(SalesforceOptions.builder().counts(0, 1, 0, 0).dailyApiAllocation(3));
    for (int i = 1; i <= 3; i++) {
      HttpResponse<String> ok = query("SELECT Id FROM Contact");
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.headers().firstValue("Sforce-Limit-Info")).hasValue("api-usage=" + i + "/3");
      clock.advance(Duration.ofHours(1));
    }
    HttpResponse<String> spent = query("SELECT Id FROM Contact");
    assertThat(spent.statusCode()).isEqualTo(403);
    assertThat(spent.headers().firstValue("Sforce-Limit-Info")).hasValue("api-usage=3/3");
    assertThat(JSON.readTree(spent.body()).get(0).get("errorCode").asText()).isEqualTo("REQUEST_LIMIT_EXCEEDED");
    assertThat(sandbox.requestLimitExceededCount()).isEqualTo(1);
    // The first call (t0) leaves the window at t0 + 24 h; now is t0 + 3 h.
    clock.advance(Duration.ofHours(21).plusMinutes(2));
    HttpResponse<String> again = query("SELECT Id FROM Contact");
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.headers().firstValue("Sforce-Limit-Info")).hasValue("api-usage=3/3");
  }

  @Test
  void collectionCreateAnswersPerRecordResultsInInputOrder() throws Exception {
    start(SalesforceOptions.builder().counts(0, 0, 0, 0));
    Map<String, Object> body = Map.of("allOrNone", false, "records", List.of(
        Map.of("attributes", Map.of("type", "Contact"), "LastName", "Ada", "External_Id__c", "X-1", "Email", "ada@example.com"),
        Map.of("attributes", Map.of("type", "Contact"), "FirstName", "NoLast"),
        Map.of("attributes", Map.of("type", "Contact"), "LastName", "Dup", "External_Id__c", "x-1"),
        Map.of("attributes", Map.of("type", "Lead"), "LastName", "Lee", "Company", "Acme")));
    HttpResponse<String> r = send("POST", "/composite/sobjects", body);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode res = JSON.readTree(r.body());
    assertThat(res).hasSize(4);
    assertThat(res.get(0).get("success").asBoolean()).isTrue();
    assertThat(res.get(0).get("id").asText()).startsWith("003");
    assertThat(res.get(0).get("errors")).isEmpty();
    assertThat(res.get(0).get("created").asBoolean()).isTrue();
    assertThat(res.get(1).get("success").asBoolean()).isFalse();
    assertThat(res.get(1).get("errors").get(0).get("statusCode").asText()).isEqualTo("REQUIRED_FIELD_MISSING");
    assertThat(res.get(2).get("errors").get(0).get("statusCode").asText()).isEqualTo("DUPLICATE_VALUE");
    assertThat(iterableNames(res.get(2).get("errors").get(0))).containsExactly("statusCode", "message", "fields");
    assertThat(res.get(3).get("id").asText()).startsWith("00Q");
    assertThat(sandbox.records("Contact")).hasSize(1);
    assertThat(sandbox.records("Lead")).hasSize(1);
  }

  @Test
  void allOrNoneRollsEverythingBack() throws Exception {
    start(SalesforceOptions.builder().counts(0, 0, 0, 0));
    HttpResponse<String> r = send("POST", "/composite/sobjects", Map.of("allOrNone", true, "records", List.of(
        Map.of("attributes", Map.of("type", "Contact"), "LastName", "Ok"),
        Map.of("attributes", Map.of("type", "Contact"), "Email", "not-an-email", "LastName", "Bad"))));
    JsonNode res = JSON.readTree(r.body());
    assertThat(res.get(0).get("errors").get(0).get("statusCode").asText()).isEqualTo("ALL_OR_NONE_OPERATION_ROLLED_BACK");
    assertThat(res.get(1).get("errors").get(0).get("statusCode").asText()).isEqualTo("INVALID_EMAIL_ADDRESS");
    assertThat(sandbox.records("Contact")).isEmpty();
  }

  @Test
  void collectionUpsertByExternalIdCreatesAndUpdatesInOrder() throws Exception {
    start(SalesforceOptions.builder().counts(0, 2, 0, 0));
    SObjectRecord existing = sandbox.records("Contact").get(0);
    String ext = (String) existing.get("External_Id__c");
    HttpResponse<String> r = send("PATCH", "/composite/sobjects/Contact/External_Id__c", Map.of("allOrNone", false,
        "records", List.of(
            Map.of("attributes", Map.of("type", "Contact"), "External_Id__c", "NEW-1", "LastName", "New"),
            Map.of("attributes", Map.of("type", "Contact"), "External_Id__c", ext, "Title", "Updated"),
            Map.of("attributes", Map.of("type", "Contact"), "LastName", "NoKey"))));
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode res = JSON.readTree(r.body());
    assertThat(res.get(0).get("created").asBoolean()).isTrue();
    assertThat(res.get(1).get("created").asBoolean()).isFalse();
    assertThat(res.get(1).get("id").asText()).isEqualTo(existing.id());
    assertThat(res.get(2).get("success").asBoolean()).isFalse();
    assertThat(sandbox.record("Contact", existing.id()).orElseThrow().get("Title")).isEqualTo("Updated");
    assertThat(sandbox.record("Contact", existing.id()).orElseThrow().get("LastModifiedDate")).isEqualTo(clock.instant());
  }

  @Test
  void collectionsRefuseMoreThan200Records() throws Exception {
    start(SalesforceOptions.builder().counts(0, 0, 0, 0));
    List<Map<String, Object>> records = new ArrayList<>();
    for (int i = 0; i < 201; i++) {
      records.add(Map.of("attributes", Map.of("type", "Contact"), "LastName", "N" + i));
    }
    HttpResponse<String> r = send("POST", "/composite/sobjects", Map.of("allOrNone", false, "records", records));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(r.body()).get(0).get("errorCode").asText()).isEqualTo("EXCEEDED_ID_LIMIT");
    assertThat(sandbox.records("Contact")).isEmpty();
  }

  @Test
  void singleUpsertAnswers201Then200Then300() throws Exception {
    start(SalesforceOptions.builder().counts(0, 0, 0, 0));
    HttpResponse<String> created = send("PATCH", "/sobjects/Contact/External_Id__c/ABC-1", Map.of("LastName", "One", "Email", "same@example.com"));
    assertThat(created.statusCode()).isEqualTo(201);
    JsonNode c = JSON.readTree(created.body());
    assertThat(c.get("success").asBoolean()).isTrue();
    assertThat(c.get("created").asBoolean()).isTrue();
    HttpResponse<String> updated = send("PATCH", "/sobjects/Contact/External_Id__c/abc-1", Map.of("Title", "CTO"));
    assertThat(updated.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(updated.body()).get("id").asText()).isEqualTo(c.get("id").asText());
    send("PATCH", "/sobjects/Contact/External_Id__c/ABC-2", Map.of("LastName", "Two", "Email", "SAME@example.com"));
    HttpResponse<String> several = send("PATCH", "/sobjects/Contact/Email/same@example.com", Map.of("Title", "x"));
    assertThat(several.statusCode()).isEqualTo(300);
    JsonNode urls = JSON.readTree(several.body());
    assertThat(urls).hasSize(2);
    assertThat(urls.get(0).asText()).startsWith("/services/data/v65.0/sobjects/Contact/003");
    HttpResponse<String> bad = send("PATCH", "/sobjects/Contact/External_Id__c/ABC-3", Map.of("Nope", 1));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(bad.body()).get(0).get("errorCode").asText()).isEqualTo("INVALID_FIELD");
  }

  @Test
  void olderVersionsAnswerAnUpsertUpdateWith204AndTheirOwnUrls() throws Exception {
    start(SalesforceOptions.builder().counts(0, 0, 0, 0));
    String v45 = server.baseUrl() + "/services/data/v45.0";
    base = v45;
    HttpResponse<String> created = send("PATCH", "/sobjects/Contact/External_Id__c/OLD-1", Map.of("LastName", "Old"));
    assertThat(created.statusCode()).isEqualTo(201);
    HttpResponse<String> updated = send("PATCH", "/sobjects/Contact/External_Id__c/OLD-1", Map.of("Title", "CTO"));
    assertThat(updated.statusCode()).isEqualTo(204);
    assertThat(updated.body()).isEmpty();
    HttpResponse<String> q = send("GET", "/query?q=SELECT+Id+FROM+Contact", null);
    assertThat(JSON.readTree(q.body()).at("/records/0/attributes/url").asText()).startsWith("/services/data/v45.0/sobjects/Contact/003");
    HttpResponse<String> unknown = send("POST", "/sobjects/Contact/" + JSON.readTree(created.body()).get("id").asText() + "/x/y", Map.of());
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(unknown.body()).get(0).get("errorCode").asText()).isEqualTo("NOT_FOUND");
  }

  @Test
  void compositeDeleteRetrieveByExternalIdAndReplicationWindows() throws Exception {
    start(SalesforceOptions.builder().counts(0, 0, 0, 0));
    String a = JSON.readTree(send("POST", "/sobjects/Contact", Map.of("LastName", "A", "External_Id__c", "X-1")).body()).get("id").asText();
    String b = JSON.readTree(send("POST", "/sobjects/Contact", Map.of("LastName", "B")).body()).get("id").asText();
    HttpResponse<String> byExt = send("GET", "/sobjects/Contact/External_Id__c/x-1?fields=Id,LastName", null);
    assertThat(byExt.statusCode()).isEqualTo(200);
    JsonNode found = JSON.readTree(byExt.body());
    assertThat(found.get("Id").asText()).isEqualTo(a);
    assertThat(found.has("Email")).isFalse();
    // allOrNone: one bad id keeps every record.
    JsonNode refused = JSON.readTree(send("DELETE", "/composite/sobjects?allOrNone=true&ids=" + a + ",003000000000000AAA", null).body());
    assertThat(refused.get(0).get("errors").get(0).get("statusCode").asText()).isEqualTo("ALL_OR_NONE_OPERATION_ROLLED_BACK");
    assertThat(refused.get(1).get("errors").get(0).get("statusCode").asText()).isEqualTo("INVALID_CROSS_REFERENCE_KEY");
    assertThat(sandbox.record("Contact", a)).isPresent();
    JsonNode deleted = JSON.readTree(send("DELETE", "/composite/sobjects?ids=" + a + "," + b, null).body());
    assertThat(deleted).allSatisfy(r -> assertThat(r.get("success").asBoolean()).isTrue());
    assertThat(sandbox.record("Contact", a)).isEmpty();
    HttpResponse<String> update = send("PATCH", "/sobjects/Contact/" + a, Map.of("Title", "x"));
    assertThat(update.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(update.body()).get(0).get("errorCode").asText()).isEqualTo("ENTITY_IS_DELETED");
    HttpResponse<String> tooOld = send("GET", "/sobjects/Contact/deleted/?start=2026-01-01T00:00:00%2B00:00&end=2026-03-26T21:00:00%2B00:00", null);
    assertThat(tooOld.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(tooOld.body()).get(0).get("errorCode").asText()).isEqualTo("INVALID_REPLICATION_DATE");
    JsonNode recent = JSON.readTree(send("GET", "/sobjects/Contact/deleted/?start=2026-03-26T21:00:00Z&end=2026-03-27T00:00:00Z", null).body());
    assertThat(recent.get("deletedRecords")).extracting(n -> n.get("id").asText()).containsExactlyInAnyOrder(a, b);
    // end is capped at now (21:35:57 by the test clock), in whole minutes.
    assertThat(recent.get("latestDateCovered").asText()).isEqualTo("2026-03-26T21:35:00.000+0000");
    JsonNode describe = JSON.readTree(send("GET", "/sobjects/Opportunity/describe", null).body());
    assertThat(describe.get("fields")).filteredOn(f -> f.get("name").asText().equals("StageName")).singleElement()
        .satisfies(f -> assertThat(f.get("picklistValues")).extracting(v -> v.get("value").asText()).contains("Closed Won"));
  }

  @Test
  void sameSeedAndClockGiveTheSameData() {
    SalesforceOptions o = SalesforceOptions.builder().counts(5, 60, 10, 8).seed(7).clock(clock).build();
    SalesforceSandbox a = new SalesforceSandbox(o);
    SalesforceSandbox b = new SalesforceSandbox(o);
    for (String type : List.of("Account", "Contact", "Lead", "Opportunity")) {
      assertThat(a.records(type)).isEqualTo(b.records(type));
    }
    // Edge cases the generator promises: missing emails and emails differing only in case.
    List<String> emails = a.records("Contact").stream().map(r -> (String) r.get("Email")).toList();
    assertThat(emails).containsNull();
    assertThat(emails.stream().filter(e -> e != null && !e.equals(e.toLowerCase())).toList()).isNotEmpty();
    a.close();
    b.close();
  }

  static List<String> iterableNames(JsonNode n) {
    List<String> names = new ArrayList<>();
    n.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void injectedRateLimitFaultsAnswerAsASpentAllocation() throws Exception {
    start(SalesforceOptions.builder().counts(0, 1, 0, 0));
    server.faults().add(FaultRule.tooManyRequests(1.0).onPath("/services/data/").times(1));
    HttpResponse<String> faulted = query("SELECT Id FROM Contact");
    assertThat(faulted.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(faulted.body()).get(0).get("errorCode").asText()).isEqualTo("REQUEST_LIMIT_EXCEEDED");
    assertThat(faulted.headers().firstValue("Sforce-Limit-Info")).isPresent();
    assertThat(query("SELECT Id FROM Contact").statusCode()).isEqualTo(200);
  }
}
