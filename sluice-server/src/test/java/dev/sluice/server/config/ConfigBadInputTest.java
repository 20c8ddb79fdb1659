package dev.sluice.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** sluice.yaml from a hostile or careless hand: a clear ConfigException, never a crash or a surprise. */
class ConfigBadInputTest {

  @Test
  void aBillionLaughsOfAliasesIsRefused() {
    StringBuilder yaml = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (char c = 'b'; c <= 'j'; c++) {
      char p = (char) (c - 1);
      yaml.append(c).append(": &").append(c).append(" [*").append(p).append(",*").append(p).append(",*").append(p).append(",*")
          .append(p).append(",*").append(p).append(",*").append(p).append(",*").append(p).append(",*").append(p).append(",*").append(p).append("]\n");
    }
    assertThatThrownBy(() -> SluiceConfig.parse(yaml.toString(), Map.of())).isInstanceOf(ConfigException.class);
  }

  @Test
  void javaTypeTagsConstructNothing() {
    Throwable t = catchThrowable(() -> SluiceConfig.parse("""
        server:
          host: !!java.lang.ProcessBuilder [["touch", "/tmp/sluice-pwned"]]
        """, Map.of()));
    assertThat(t).isInstanceOf(ConfigException.class).hasMessageContaining("server.host");
    assertThat(new java.io.File("/tmp/sluice-pwned")).doesNotExist();
  }

  @Test
  void standardTagsAreReadAsTheirValueOrRefusedClearly() {
    assertThat(SluiceConfig.parse("server:\n  port: !!int 9090\n", Map.of()).server().port()).isEqualTo(9090);
    assertThat(SluiceConfig.parse("server:\n  host: !!str 127.0.0.2\n", Map.of()).server().host()).isEqualTo("127.0.0.2");
    assertThatThrownBy(() -> SluiceConfig.parse("server:\n  port: !!binary aGVsbG8=\n", Map.of())).isInstanceOf(ConfigException.class)
        .hasMessageContaining("server.port");
  }

  @Test
  void aliasesAreRefusedByNameAndLineAndAnchorsAloneAreHarmless() {
    assertThatThrownBy(() -> SluiceConfig.parse("""
        workers:
          concurrency: &n 4
        server:
          port: *n
        """, Map.of())).isInstanceOf(ConfigException.class).hasMessageContaining("line 4").hasMessageContaining("*n");
    assertThat(SluiceConfig.parse("workers:\n  concurrency: &n 4\n", Map.of()).workers().concurrency()).isEqualTo(4);
  }

  @Test
  void brokenYamlNamesTheLine() {
    assertThatThrownBy(() -> SluiceConfig.parse("server:\n  port: [1, 2\n", Map.of())).isInstanceOf(ConfigException.class)
        .hasMessageContaining("line");
  }
}
