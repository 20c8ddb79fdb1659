package dev.sluice.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzz target for {@code sluice.yaml} loading (docs/fuzzing.md): any bytes in the file either load
 * or are refused with a {@link ConfigException} naming what is wrong; never another exception, a
 * stack overflow or a hang. In a normal build it replays its saved inputs
 * ({@code src/test/resources/dev/sluice/server/config/ConfigFuzzTestInputs/sluiceYaml/}).
 */
class ConfigFuzzTest {
  static final Map<String, String> ENV = Map.of("HUBSPOT_TOKEN", "pat-na1-0123456789", "SLUICE_API_TOKEN",
      "fuzz-api-token-0123456789abcdefghijklmnop", "EMPTY", "");
  static Path dir;
  static Path file;

  @BeforeAll
  static void makeDir() throws IOException {
    dir = Files.createTempDirectory("sluice-config-fuzz");
    file = dir.resolve("sluice.yaml");
  }

  @AfterAll
  static void removeDir() throws IOException {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @FuzzTest(maxDuration = "30s")
  void sluiceYaml(byte[] yaml) throws IOException {
    Files.write(file, yaml);
    try {
      SluiceConfig config = SluiceConfig.load(file, ENV);
      assertThat(config).isNotNull();
    } catch (ConfigException refused) {
      assertThat(refused.getMessage()).isNotBlank().doesNotContain("\tat ");
    }
  }
}
