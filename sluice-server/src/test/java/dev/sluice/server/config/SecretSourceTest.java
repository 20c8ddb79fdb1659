package dev.sluice.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.postgres.PostgresSource;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where a secret came from is printed; the secret, and a {@code :-default} that may be one, never. */
class SecretSourceTest {
  private static final String DEFAULT = "pat-na1-default-that-is-a-real-token";

  @Test
  void aDefaultValueIsNeverKeptAsTheSource() {
    SluiceConfig config = SluiceConfig.parse("""
        connections:
          main:
            platform: hubspot
            token: ${HUBSPOT_TOKEN:-%s}
        """.formatted(DEFAULT), Map.of());
    ConnectionConfig c = config.connections().get("main");
    assertThat(c.tokenSource()).isEqualTo("${HUBSPOT_TOKEN}");
    assertThat(c.toString()).doesNotContain(DEFAULT).contains("${HUBSPOT_TOKEN}");
    assertThat(ConfigParser.sourceOf("Bearer ${A:-x} ${B}")).isEqualTo("${A} ${B}");
    assertThat(ConfigParser.sourceOf("plain")).isEqualTo("literal in the config file");
  }

  @Test
  void anEmptyResolutionNamesTheVariableNotItsDefault() {
    assertThatThrownBy(() -> SluiceConfig.parse("server:\n  api_token: ${EMPTY_TOKEN:-}\n", Map.of("EMPTY_TOKEN", "")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("${EMPTY_TOKEN}");
  }

  @Test
  void aBadDatabaseUrlIsRefusedWithoutEchoingIt() {
    assertThatThrownBy(() -> PostgresSource.JdbcTarget.parse("pg://admin:hunter2secret@db/x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("scheme 'pg'").message().doesNotContain("hunter2").doesNotContain("admin");
  }
}
