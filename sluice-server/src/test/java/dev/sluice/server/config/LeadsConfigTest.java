package dev.sluice.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.leads.LeadSource;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LeadsConfigTest {
  private static final Map<String, String> ENV = Map.of("HUBSPOT_TOKEN", "pat-na1-secret-value",
      "WEBSITE_LEAD_KEY", "lk_website_0123456789abcdef", "PARTNER_LEAD_KEY", "lk_partner_0123456789abcdef");

  private static final String CONNECTION = """
      connections:
        hubspot-main:
          platform: hubspot
          token: ${HUBSPOT_TOKEN}
      """;

  @Test
  void parsesTheDocumentedExample() {
    SluiceConfig config = SluiceConfig.parse(CONNECTION + """
        leads:
          drainers: 3
          sources:
            website:
              key: ${WEBSITE_LEAD_KEY}
              destination: hubspot-main
              origins: [https://www.example.com, http://localhost:3000]
              thank_you_url: https://www.example.com/thanks
              strict: true
              fields: [firstname, lastname, company]
              honeypot: website_url
              per_ip_per_minute: 30
              email_rules: [strip_plus_tag, gmail_dots]
              mapping: {first_name: firstname, internal: ""}
            partner:
              key: ${PARTNER_LEAD_KEY}
              commit: per_request
        """, ENV);
    assertThat(config.leads().drainersPerConnection()).isEqualTo(3);
    List<LeadSource> sources = config.leads().sources();
    assertThat(sources).extracting(LeadSource::name).containsExactly("website", "partner");
    LeadSource web = sources.get(0);
    assertThat(web.keyMatches("lk_website_0123456789abcdef")).isTrue();
    assertThat(web.keyMatches("lk_partner_0123456789abcdef")).isFalse();
    assertThat(web.destination()).isEqualTo("hubspot-main");
    assertThat(web.allowsOrigin("https://www.example.com")).isTrue();
    assertThat(web.allowsOrigin("https://evil.example")).isFalse();
    assertThat(web.thankYouUrl()).isEqualTo(URI.create("https://www.example.com/thanks"));
    assertThat(web.strict()).isTrue();
    assertThat(web.fields()).containsExactlyInAnyOrder("firstname", "lastname", "company");
    assertThat(web.honeypot()).isEqualTo("website_url");
    assertThat(web.perIpPerMinute()).isEqualTo(30);
    assertThat(web.emailRules()).isEqualTo(Set.of(LeadSource.EmailRule.STRIP_PLUS_TAG, LeadSource.EmailRule.GMAIL_DOTS));
    assertThat(web.mapping()).containsEntry("first_name", "firstname").containsEntry("internal", "");
    LeadSource partner = sources.get(1);
    assertThat(partner.destination()).isNull();
    assertThat(partner.commitMode()).isEqualTo(LeadSource.CommitMode.PER_REQUEST);
    assertThat(partner.honeypot()).isEqualTo(LeadSource.DEFAULT_HONEYPOT);
  }

  @Test
  void mistakesNameTheirPath() {
    assertThatThrownBy(() -> SluiceConfig.parse(CONNECTION + "leads: {sources: {web: {destination: hubspot-main}}}", ENV))
        .isInstanceOf(ConfigException.class).hasMessageContaining("leads.sources.web.key");
    assertThatThrownBy(() -> SluiceConfig.parse(CONNECTION + "leads: {sources: {web: {key: short}}}", ENV))
        .hasMessageContaining("leads.sources.web.key").hasMessageContaining("at least 16");
    assertThatThrownBy(() -> SluiceConfig.parse(CONNECTION + "leads: {sources: {web: {key: '${WEBSITE_LEAD_KEY}', destination: nowhere}}}", ENV))
        .hasMessageContaining("leads.sources.web.destination").hasMessageContaining("hubspot-main");
    assertThatThrownBy(() -> SluiceConfig.parse(CONNECTION + "leads: {sources: {web: {key: '${WEBSITE_LEAD_KEY}', strict: true}}}", ENV))
        .hasMessageContaining("leads.sources.web.fields");
    assertThatThrownBy(() -> SluiceConfig.parse(CONNECTION + "leads: {sources: {web: {key: '${WEBSITE_LEAD_KEY}', origins: [https://x.com/path]}}}", ENV))
        .hasMessageContaining("leads.sources.web.origins[0]");
    assertThatThrownBy(() -> SluiceConfig.parse(CONNECTION + "leads: {sources: {web: {key: '${WEBSITE_LEAD_KEY}', colour: red}}}", ENV))
        .hasMessageContaining("leads.sources.web.colour");
    assertThatThrownBy(() -> SluiceConfig.parse(CONNECTION + "leads: {sources: {a: {key: '${WEBSITE_LEAD_KEY}'}, b: {key: '${WEBSITE_LEAD_KEY}'}}}", ENV))
        .hasMessageContaining("leads.sources.b.key").hasMessageContaining("same as the key of a");
  }

  @Test
  void theKeyNeverAppearsInAnError() {
    assertThatThrownBy(() -> SluiceConfig.parse(CONNECTION + "leads: {sources: {web: {key: '${WEBSITE_LEAD_KEY}', destination: nowhere}}}", ENV))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("lk_website"));
    assertThat(SluiceConfig.parse(CONNECTION, ENV).leads().sources()).isEmpty();
  }
}
