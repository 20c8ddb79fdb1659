package dev.sluice.pipelines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Drafting a mapping from the sandbox's live schemas (HubSpot properties API, Salesforce describe)
 * offline, and through an OpenAI-compatible endpoint (a local test server that answers as one would).
 */
class MappingDraftTest {
  static SandboxSchemas schemas;
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() throws Exception {
    schemas = new SandboxSchemas();
  }

  @AfterAll
  static void stop() {
    if (schemas != null) schemas.close();
  }

  DraftRequest request(String description) {
    return new DraftRequest("hubspot-main/contacts", schemas.hubspotContacts, "salesforce-main/Contact", schemas.salesforceContact,
        description, schemas.contacts(20));
  }

  @Test
  void offlineDraftPairsHubSpotContactsWithSalesforceContactFields() throws Exception {
    MappingDraft draft = MappingDraft.of(new OfflineDrafter(), request("Copy each contact's email, names, phone and job title."));
    assertThat(draft.compileErrors()).isEmpty();
    Mapping m = Mapping.parse(draft.yaml(), "draft");
    assertThat(m.field("Email").expression().source()).isEqualTo("source.email");
    assertThat(m.field("Email").type()).isEqualTo(Mapping.FieldType.EMAIL);
    assertThat(m.field("FirstName").expression().source()).isEqualTo("source.firstname");
    assertThat(m.field("LastName").expression().source()).isEqualTo("source.lastname");
    assertThat(m.field("LastName").required()).isTrue();
    assertThat(m.field("Phone").expression().source()).isEqualTo("source.phone");
    assertThat(m.field("Title").expression().source()).isEqualTo("source.jobtitle");
    // read-only and id fields are never proposed, nor types that do not fit
    assertThat(m.destinationFields()).doesNotContain("Id", "CreatedDate", "LastModifiedDate", "SystemModstamp", "AccountId",
        "HasOptedOutOfEmail", "Birthdate");
    assertThat(draft.matchField()).contains("Email");
    MappingTrial trial = draft.trial().orElseThrow();
    assertThat(trial.schemaErrors()).isEmpty();
    assertThat(trial.samples()).hasSize(20);
    assertThat(trial.samples().get(0).mapped()).containsKeys("Email", "FirstName", "LastName");
    assertThat(draft.text()).contains("Drafted mapping (offline drafter").contains("Email: {from: source.email, type: email, required: true}")
        .contains("20 records:");
  }

  @Test
  void aQuotedValueInTheDescriptionBecomesTheFieldsValue() throws Exception {
    MappingDraft draft = MappingDraft.of(new OfflineDrafter(), request("email and names; lead source is 'Web'"));
    Mapping m = Mapping.parse(draft.yaml(), "draft");
    assertThat(m.field("LeadSource").expression().source()).isEqualTo("\"Web\"");
    assertThat(m.apply(schemas.contacts(1).get(0).properties()).values()).containsEntry("LeadSource", "Web");
  }

  @Test
  void llmDraftIsValidatedAndTriedLikeAnyOther() throws Exception {
    String answer = """
        Here is the mapping:
        ```yaml
        fields:
          Email: {from: source.email, type: email, required: true}
          LastName: source.lastname
          Titel: source.jobtitle
        ```
        """;
    try (OpenAiCompatibleTestServer llm = new OpenAiCompatibleTestServer(200, completion(answer))) {
      OpenAiDrafter drafter = new OpenAiDrafter(URI.create(llm.baseUrl()), "test-model", "sk-test-key");
      MappingDraft draft = MappingDraft.of(drafter, request("email, last name and title"));

      JsonNode sent = JSON.readTree(llm.bodies.get(0));
      assertThat(llm.paths).containsExactly("/v1/chat/completions");
      assertThat(llm.authorizations).containsExactly("Bearer sk-test-key");
      assertThat(sent.path("model").asText()).isEqualTo("test-model");
      String prompt = sent.path("messages").get(1).path("content").asText();
      assertThat(prompt).contains("email, last name and title").contains("- firstname | First Name | string")
          .contains("- LastName | Last Name | string | required").contains("Sample source records:");

      assertThat(draft.yaml()).startsWith("fields:").doesNotContain("```");
      MappingTrial trial = draft.trial().orElseThrow();
      assertThat(trial.schemaErrors()).extracting(e -> e.at("draft"))
          .containsExactly("draft:4: Titel: salesforce-main/Contact has no field 'Titel' (did you mean 'Title'?)");
      assertThat(draft.matchField()).contains("Email");
      assertThat(draft.text()).contains("model test-model at " + llm.baseUrl() + "/chat/completions").doesNotContain("sk-test-key");
    }
  }

  @Test
  void llmAnswersThatAreNotAMappingAreReportedClearly() throws Exception {
    try (OpenAiCompatibleTestServer llm = new OpenAiCompatibleTestServer(200, completion("fields:\n  Email: 'source.email +'\n"))) {
      MappingDraft draft = MappingDraft.of(new OpenAiDrafter(URI.create(llm.baseUrl()), "m", null), request(""));
      assertThat(draft.trial()).isEmpty();
      assertThat(draft.compileErrors()).extracting(e -> e.at("draft")).singleElement().asString().startsWith("draft:2: Email: CEL");
      assertThat(llm.authorizations).containsExactly("(none)");
    }
    try (OpenAiCompatibleTestServer llm = new OpenAiCompatibleTestServer(429, "{\"error\":{\"message\":\"Rate limit reached\"}}")) {
      assertThatThrownBy(() -> MappingDraft.of(new OpenAiDrafter(URI.create(llm.baseUrl()), "m", "k"), request("")))
          .isInstanceOf(MappingDrafter.DraftException.class).hasMessageContaining("answered 429").hasMessageContaining("Rate limit reached");
    }
    try (OpenAiCompatibleTestServer llm = new OpenAiCompatibleTestServer(200, "{\"choices\":[]}")) {
      assertThatThrownBy(() -> MappingDraft.of(new OpenAiDrafter(URI.create(llm.baseUrl()), "m", "k"), request("")))
          .isInstanceOf(MappingDrafter.DraftException.class).hasMessageContaining("without choices[0].message.content");
    }
  }

  static String completion(String content) throws IOException {
    var root = JSON.createObjectNode();
    root.put("id", "chatcmpl-test").put("object", "chat.completion").put("model", "test-model");
    var choice = root.putArray("choices").addObject();
    choice.put("index", 0).put("finish_reason", "stop");
    choice.putObject("message").put("role", "assistant").put("content", content);
    return JSON.writeValueAsString(root);
  }

  /**
   * A test double of a third-party API: a real local HTTP server that answers {@code POST
   * /v1/chat/completions} as an OpenAI-compatible endpoint would, with a fixed status and body, and
   * records what it was sent.
   */
  static final class OpenAiCompatibleTestServer implements AutoCloseable {
    final HttpServer server;
    final List<String> paths = new CopyOnWriteArrayList<>();
    final List<String> bodies = new CopyOnWriteArrayList<>();
    final List<String> authorizations = new CopyOnWriteArrayList<>();

    OpenAiCompatibleTestServer(int status, String body) throws IOException {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/v1/", ex -> {
        paths.add(ex.getRequestURI().getPath());
        bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        authorizations.add(auth == null ? "(none)" : auth);
        byte[] out = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, out.length);
        ex.getResponseBody().write(out);
        ex.close();
      });
      server.start();
    }

    String baseUrl() {
      return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
