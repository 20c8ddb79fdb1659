package dev.sluice.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.postgres.TestDatabase;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import dev.sluice.sandbox.hubspot.HubSpotOptions;
import dev.sluice.sandbox.salesforce.SalesforceOptions;
import dev.sluice.sandbox.salesforce.SalesforceSandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice mapping test} and {@code sluice mapping draft} as an operator runs them: a separate
 * JVM, the config file, real PostgreSQL holding a mirror synced from the HubSpot sandbox, and both
 * sides' schemas read live from the HubSpot and Salesforce sandboxes.
 */
class MappingCommandTest {
  static TestDatabase db;
  static Sandbox sandbox;
  @TempDir static Path dir;
  static Path config;
  static Map<String, String> env;

  @BeforeAll
  static void start() throws Exception {
    db = TestDatabase.create("server_mapping_cli");
    sandbox = Sandbox.builder().hubspot(HubSpotOptions.defaults())
        .platform(new SalesforceSandbox(SalesforceOptions.builder().counts(1, 1, 1, 1).build())).start();
    for (int i = 0; i < 30; i++) {
      sandbox.hubspot().createRecord(HubSpotObjectType.CONTACTS,
          Map.of("email", "p" + i + "@example.com", "firstname", "P" + i, "lastname", "L" + i, "phone", "+1 555 01" + i));
    }
    sandbox.hubspot().createRecord(HubSpotObjectType.CONTACTS, Map.of("email", "nolast@example.com", "firstname", "Nolast"));
    Files.writeString(dir.resolve("contacts-to-sf.yaml"), """
        fields:
          Email: {from: source.email, type: email, required: true}
          FirstName: source.firstname
          LastName: {from: source.lastname, required: true}
          Phone: source.phone
        """);
    config = dir.resolve("sluice.yaml");
    Files.writeString(config, """
        connections:
          crm:
            platform: hubspot
            base_url: %s
            token: ${HUBSPOT_TOKEN}
            tier: professional
            objects: [contacts]
          sf:
            platform: salesforce
            base_url: %s
            token: ${SF_TOKEN}
        pipelines:
          contacts-to-sf:
            from: crm/contacts
            to: sf/Contact
            mapping: contacts-to-sf.yaml
        database:
          url: %s
        """.formatted(sandbox.baseUrl(), sandbox.baseUrl(), db.jdbcUrl()));
    env = Map.of("HUBSPOT_TOKEN", sandbox.hubspot().token(), "SF_TOKEN", SalesforceOptions.DEFAULT_ACCESS_TOKEN);
    SyncRunCommandTest.Result sync = SyncRunCommandTest.sluice(dir, env, "sync", "run", "--config", config.toString(),
        "--connection", "crm", "--mode", "full");
    assertThat(sync.exit()).as(sync.err()).isZero();
  }

  @AfterAll
  static void stop() {
    if (sandbox != null) sandbox.close();
    if (db != null) db.close();
  }

  @Test
  void mappingTestPrintsSourceMappedAndErrorsForMirrorRecords() throws Exception {
    SyncRunCommandTest.Result r = SyncRunCommandTest.sluice(dir, env, "mapping", "test", "--pipeline", "contacts-to-sf",
        "--sample", "50", "--config", config.toString());
    assertThat(r.exit()).as("one sample has no last name: %s", r.err()).isEqualTo(1);
    assertThat(r.out()).contains("pipeline contacts-to-sf: crm/contacts → sf/Contact").contains("match Email")
        .contains("Email     ← email=\"p7@example.com\"").contains("→ \"p7@example.com\"")
        .contains("NOT SENT").contains("error: LastName (value ''): required")
        .contains("31 records: 30 would be sent, 1 not");
    assertThat(r.out()).doesNotContain("The mapping does not fit");

    SyncRunCommandTest.Result json = SyncRunCommandTest.sluice(dir, env, "mapping", "test", "--pipeline", "contacts-to-sf",
        "--sample", "40", "--json", "--config", config.toString());
    JsonNode root = new ObjectMapper().readTree(json.out());
    assertThat(root.path("summary").path("records").asInt()).isEqualTo(31);
    assertThat(root.path("summary").path("failed").asInt()).isEqualTo(1);
    assertThat(root.path("schema_errors")).isEmpty();
    for (JsonNode rec : root.path("records")) {
      String email = rec.path("source").path("email").asText();
      if (email.equals("nolast@example.com")) {
        assertThat(rec.path("mapped").isNull()).isTrue();
        assertThat(rec.path("errors").get(0).path("field").asText()).isEqualTo("LastName");
        assertThat(rec.path("errors").get(0).path("line").asInt()).isEqualTo(4);
      } else {
        assertThat(rec.path("mapped").path("Email").asText()).isEqualTo(email);
        assertThat(rec.path("errors")).isEmpty();
      }
    }

    SyncRunCommandTest.Result unknown = SyncRunCommandTest.sluice(dir, env, "mapping", "test", "--pipeline", "nope", "--config", config.toString());
    assertThat(lastLine(unknown.err())).isEqualTo("sluice: unknown pipeline 'nope' (configured: contacts-to-sf)");
  }

  static String lastLine(String text) {
    return text.strip().lines().reduce((a, b) -> b).orElse("");
  }

  @Test
  void mappingDraftProposesReviewsAndWritesOnlyWhenAsked() throws Exception {
    SyncRunCommandTest.Result r = SyncRunCommandTest.sluice(dir, env, "mapping", "draft", "--from", "crm/contacts", "--to", "sf/Contact",
        "email, first and last names and phone", "--config", config.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("Email: {from: source.email, type: email, required: true}")
        .contains("FirstName: source.firstname").contains("LastName: {from: source.lastname, required: true}")
        .contains("Phone: source.phone").contains("match field: Email").contains("20 records:");
    assertThat(r.err()).contains("nothing written");

    Path out = dir.resolve("drafted.yaml");
    SyncRunCommandTest.Result written = SyncRunCommandTest.sluice(dir, env, "mapping", "draft", "--from", "crm/contacts", "--to", "sf/Contact",
        "email and names", "--out", out.toString(), "--config", config.toString());
    assertThat(written.exit()).as(written.err()).isZero();
    assertThat(Files.readString(out)).contains("fields:").contains("Email: {from: source.email");
    SyncRunCommandTest.Result again = SyncRunCommandTest.sluice(dir, env, "mapping", "draft", "--from", "crm/contacts", "--to", "sf/Contact",
        "--out", out.toString(), "--config", config.toString());
    assertThat(again.exit()).isEqualTo(1);
    assertThat(lastLine(again.err())).startsWith("sluice: " + out + " exists; a draft never overwrites a file");
  }
}
