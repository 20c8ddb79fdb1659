package dev.sluice.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code llm:}: the OpenAI-compatible endpoint that drafts mappings, its key from the environment and never shown. */
class LlmConfigTest {
  @TempDir Path dir;

  SluiceConfig load(String yaml, Map<String, String> env) throws Exception {
    Files.writeString(dir.resolve("sluice.yaml"), yaml);
    return SluiceConfig.load(dir.resolve("sluice.yaml"), env);
  }

  @Test
  void anEndpointWithItsKeyFromTheEnvironment() throws Exception {
    SluiceConfig c = load("llm:\n  base_url: http://127.0.0.1:8000/v1\n  model: local-model\n  api_key: ${LLM_KEY}\n",
        Map.of("LLM_KEY", "sk-secret"));
    SluiceConfig.LlmSettings llm = c.llm().orElseThrow();
    assertThat(llm.baseUrl().toString()).isEqualTo("http://127.0.0.1:8000/v1");
    assertThat(llm.model()).isEqualTo("local-model");
    assertThat(llm.apiKey().orElseThrow().reveal()).isEqualTo("sk-secret");
    assertThat(llm.toString()).doesNotContain("sk-secret");
    assertThat(load("connections: {}\n", Map.of()).llm()).isEmpty();
  }

  @Test
  void mistakesAreNamedByPath() {
    assertThatThrownBy(() -> load("llm:\n  base_url: ftp://x\n  model: m\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("llm.base_url").hasMessageContaining("http(s) URL");
    assertThatThrownBy(() -> load("llm:\n  base_url: https://api.openai.com/v1\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("llm.model").hasMessageContaining("missing");
    assertThatThrownBy(() -> load("llm:\n  base_url: https://api.openai.com/v1\n  model: m\n  temperature: 1\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("llm.temperature").hasMessageContaining("unknown key");
  }
}
