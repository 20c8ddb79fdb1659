package dev.sluice.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.pipelines.Pipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code pipelines:} section: a working pipeline, and a clear message for each mistake. */
class PipelinesConfigTest {
  static final String CONNECTIONS = """
      connections:
        hubspot-main:
          platform: hubspot
          token: t
          objects: [contacts]
        salesforce-main:
          platform: salesforce
          token: t
          objects: [Contact]
        mailchimp-main:
          platform: mailchimp
          token: t
        segment-main:
          platform: segment
          token: t
      """;

  @TempDir Path dir;

  SluiceConfig load(String pipelines) throws Exception {
    Files.writeString(dir.resolve("sluice.yaml"), CONNECTIONS + pipelines);
    return SluiceConfig.load(dir.resolve("sluice.yaml"), Map.of());
  }

  void mapping(String name, String text) throws Exception {
    Files.createDirectories(dir.resolve("mappings"));
    Files.writeString(dir.resolve("mappings").resolve(name), text);
  }

  @Test
  void aPipelineReadsItsMappingRelativeToTheConfigAndMatchesOnEmail() throws Exception {
    mapping("hs-sf.yaml", "fields:\n  Email: {from: source.email, type: email, required: true}\n  LastName: source.lastname\n");
    Pipeline p = load("""
        pipelines:
          hs-sf:
            from: hubspot-main/contacts
            to: salesforce-main/Contact
            mapping: mappings/hs-sf.yaml
            cron: "*/15 * * * *"
        """).pipelines().get("hs-sf");
    assertThat(p.sourceConnection()).isEqualTo("hubspot-main");
    assertThat(p.destinationObject()).isEqualTo("Contact");
    assertThat(p.matchField()).isEqualTo("Email");
    assertThat(p.cron()).isEqualTo("*/15 * * * *");
    assertThat(p.batchSize()).isZero();
  }

  @Test
  void eachMistakeIsNamedByItsPath() throws Exception {
    mapping("ok.yaml", "fields:\n  Email: source.email\n");
    mapping("no-email.yaml", "fields:\n  LastName: source.lastname\n");
    mapping("broken.yaml", "fields:\n  Email: 'source.email +'\n");
    String base = "pipelines:\n  p:\n    from: %s\n    to: %s\n    mapping: %s\n";
    assertThatThrownBy(() -> load(base.formatted("hubspot-main", "salesforce-main/Contact", "mappings/ok.yaml")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("pipelines.p.from: 'hubspot-main' is not connection/object");
    assertThatThrownBy(() -> load(base.formatted("hubspot-x/contacts", "salesforce-main/Contact", "mappings/ok.yaml")))
        .hasMessageContaining("pipelines.p.from: unknown connection 'hubspot-x' (configured: hubspot-main, salesforce-main, mailchimp-main, segment-main)");
    assertThatThrownBy(() -> load(base.formatted("hubspot-main/deals", "salesforce-main/Contact", "mappings/ok.yaml")))
        .hasMessageContaining("'deals' is not synced by connection 'hubspot-main'");
    assertThatThrownBy(() -> load(base.formatted("hubspot-main/contacts", "salesforce-main/Widget", "mappings/ok.yaml")))
        .hasMessageContaining("pipelines.p.to: 'Widget' is not a salesforce object");
    assertThatThrownBy(() -> load(base.formatted("segment-main/identify", "salesforce-main/Contact", "mappings/ok.yaml")))
        .hasMessageContaining("pipelines.p.from: Sluice cannot read from platform 'segment'");
    assertThatThrownBy(() -> load(base.formatted("hubspot-main/contacts", "salesforce-main/Contact", "mappings/ok.yaml") + "    deletes: sometimes\n"))
        .hasMessageContaining("pipelines.p.deletes: must be propagate or ignore, got 'sometimes'");
    assertThatThrownBy(() -> load(base.formatted("hubspot-main/contacts", "salesforce-main/Contact", "mappings/missing.yaml")))
        .hasMessageContaining("pipelines.p.mapping: mapping file").hasMessageContaining("does not exist");
    assertThatThrownBy(() -> load(base.formatted("hubspot-main/contacts", "salesforce-main/Contact", "mappings/broken.yaml")))
        .hasMessageContaining("pipelines.p.mapping:").hasMessageContaining("CEL");
    assertThatThrownBy(() -> load(base.formatted("hubspot-main/contacts", "salesforce-main/Contact", "mappings/no-email.yaml")))
        .hasMessageContaining("pipelines.p.match: missing, and the mapping has no email field");
    assertThatThrownBy(() -> load(base.formatted("hubspot-main/contacts", "salesforce-main/Contact", "mappings/ok.yaml") + "    match: Phone\n"))
        .hasMessageContaining("pipelines.p.match: 'Phone' is not a field of the mapping (Email)");
    assertThatThrownBy(() -> load(base.formatted("hubspot-main/contacts", "salesforce-main/Contact", "mappings/ok.yaml") + "    mode: full\n"))
        .hasMessageContaining("pipelines.p.mode: unknown key");
  }

  @Test
  void unsubscribesOfAMailchimpSourceDeleteOrSetFieldsAndOtherSourcesHaveNone() throws Exception {
    mapping("mc-hs.yaml", "fields:\n  email: source.email_address\n  lastname: source.LNAME\n");
    mapping("hs-sf.yaml", "fields:\n  Email: source.email\n");
    String mc = "pipelines:\n  p:\n    from: mailchimp-main/members\n    to: hubspot-main/contacts\n    mapping: mappings/mc-hs.yaml\n";
    assertThat(load(mc).pipelines().get("p").unsubscribes().ignored()).isTrue();
    assertThat(load(mc + "    unsubscribes: delete\n").pipelines().get("p").unsubscribes().delete()).isTrue();
    assertThat(load(mc + "    unsubscribes: {set: {hs_lead_status: UNQUALIFIED}}\n").pipelines().get("p").unsubscribes().set())
        .containsExactly(Map.entry("hs_lead_status", "UNQUALIFIED"));
    assertThatThrownBy(() -> load(mc + "    unsubscribes: sometimes\n"))
        .hasMessageContaining("pipelines.p.unsubscribes: must be ignore, delete or {set: {field: value, ...}}");
    assertThatThrownBy(() -> load(mc + "    unsubscribes: {set: {email: x}}\n"))
        .hasMessageContaining("must not set the match field 'email'");
    assertThatThrownBy(() -> load("pipelines:\n  p:\n    from: hubspot-main/contacts\n    to: salesforce-main/Contact\n"
        + "    mapping: mappings/hs-sf.yaml\n    unsubscribes: delete\n"))
        .hasMessageContaining("pipelines.p.unsubscribes: only a Mailchimp source has unsubscribes");
  }
}
