package dev.sluice.pipelines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MappingTest {
  static final String LEADS = """
      fields:
        Email: {from: source.email, type: email, required: true}
        LastName: {from: source.lastname, required: true, default: "Unknown"}
        LeadSource: 'source.hs_analytics_source == "" ? "Marketing Site" : source.hs_analytics_source'
        AnnualRevenue: {from: source.annualrevenue, type: number}
        NumberOfEmployees: {from: 'source["numemployees"]', type: integer}
        HasOptedOutOfEmail: {from: 'source.hs_email_optout == "true"', type: boolean}
      """;

  @Test
  void mapsWithDefaultsTypesAndMissingProperties() throws Exception {
    Mapping m = Mapping.parse(LEADS, "leads.yaml");
    Map<String, String> source = new HashMap<>();
    source.put("email", " ann@example.com ");
    source.put("annualrevenue", "1200.50");
    source.put("numemployees", "40");
    source.put("lastname", null);
    Mapping.Result r = m.apply(source);
    assertThat(r.ok()).as("%s", r.error()).isTrue();
    assertThat(r.values()).containsEntry("Email", "ann@example.com").containsEntry("LastName", "Unknown")
        .containsEntry("LeadSource", "Marketing Site").containsEntry("AnnualRevenue", "1200.5")
        .containsEntry("NumberOfEmployees", "40").containsEntry("HasOptedOutOfEmail", "false");
    assertThat(m.sourceFields()).containsExactly("annualrevenue", "email", "hs_analytics_source", "hs_email_optout",
        "lastname", "numemployees");

    source.put("hs_analytics_source", "ORGANIC_SEARCH");
    assertThat(m.apply(source).values()).containsEntry("LeadSource", "ORGANIC_SEARCH");
  }

  @Test
  void aRecordThatFailsIsReportedWithFieldAndValueAndNotHalfMapped() throws Exception {
    Mapping m = Mapping.parse(LEADS, "leads.yaml");
    Mapping.Result bad = m.apply(Map.of("email", "ann@example.com", "annualrevenue", "lots"));
    assertThat(bad.ok()).isFalse();
    assertThat(bad.values()).isNull();
    assertThat(bad.error().field()).isEqualTo("AnnualRevenue");
    assertThat(bad.error().value()).isEqualTo("lots");
    assertThat(bad.error().toString()).contains("not a number");

    Mapping.Result missing = m.apply(Map.of("lastname", "Smith"));
    assertThat(missing.error().field()).isEqualTo("Email");
    assertThat(missing.error().message()).contains("required");
  }

  @Test
  void loadErrorsNameEveryBadField() {
    assertThatThrownBy(() -> Mapping.parse("""
        fields:
          A: 'source.x +'
          B: {from: source.y, type: colour}
          C: {form: source.z}
        """, "bad.yaml"))
        .isInstanceOf(MappingException.class)
        .satisfies(e -> assertThat(((MappingException) e).errors()).extracting(MappingError::field).containsExactly("A", "B", "C"))
        .hasMessageContaining("bad.yaml:2: A: CEL").hasMessageContaining("bad.yaml:3: B (value 'colour'): unknown type")
        .hasMessageContaining("bad.yaml:4: C: unknown key 'form'")
        .satisfies(e -> assertThat(((MappingException) e).errors()).extracting(MappingError::line).containsExactly(2, 3, 4));
    assertThatThrownBy(() -> Mapping.parse("fields:\n  A: source.x\nfilter: x\n", "top.yaml"))
        .hasMessage("top.yaml:3: unknown key 'filter' (a mapping has 'fields:')");
    assertThatThrownBy(() -> Mapping.parse("fields:\n  A: [source.x\n", "broken.yaml"))
        .isInstanceOf(MappingException.class).hasMessageStartingWith("broken.yaml:").hasMessageContaining("not YAML");
  }

  @Test
  void namesAreCheckedAgainstBothSchemas() throws Exception {
    Mapping m = Mapping.parse("""
        fields:
          Email: source.email
          lastname: source.last_name
        """, "m.yaml");
    FieldSchema hubspot = new FieldSchema("hubspot-main/contacts", Map.of(
        "email", new FieldSchema.Field("email", "Email", "string"), "lastname", new FieldSchema.Field("lastname", "Last Name", "string")));
    FieldSchema salesforce = new FieldSchema("salesforce-main/Contact", Map.of(
        "Email", new FieldSchema.Field("Email", "Email", "email"), "LastName", new FieldSchema.Field("LastName", "Last Name", "string")));
    assertThat(m.check(hubspot, salesforce)).extracting(MappingError::toString).containsExactly(
        "lastname: salesforce-main/Contact has no field 'lastname' (did you mean 'LastName'?)",
        "lastname: reads source.last_name: hubspot-main/contacts has no field 'last_name'");
  }
}
