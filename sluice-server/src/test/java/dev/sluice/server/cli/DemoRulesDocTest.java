package dev.sluice.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.rules.RuleSet;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/rules.md shows the demo's rules file as shipped, and that file loads. */
class DemoRulesDocTest {
  @Test
  void docsShowTheShippedDemoRulesAndTheyLoad() throws Exception {
    String shipped;
    try (InputStream in = RulesDemo.class.getResourceAsStream("demo-rules/deals.yaml")) {
      assertThat(in).as("the demo rules file is in the jar").isNotNull();
      shipped = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    String doc = Files.readString(Path.of("..", "docs", "rules.md"));
    int at = doc.indexOf("<!-- demo-rules -->");
    assertThat(at).as("docs/rules.md shows the demo's rules").isPositive();
    int start = doc.indexOf("```yaml\n", at) + "```yaml\n".length();
    assertThat(doc.substring(start, doc.indexOf("```", start))).isEqualTo(shipped);
    RuleSet set = RuleSet.parse("deals.yaml", shipped);
    assertThat(set.names()).containsExactly(RulesDemo.LIVE, RulesDemo.SHADOWED);
  }
}
