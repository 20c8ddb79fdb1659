package dev.sluice.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ./sluice rules check}: every error with file, line and rule, exit 1; a good set exits 0. */
class RulesCommandTest {
  record Result(int exit, String out) {}

  static Result run(String... args) {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      int exit = new CommandLine(new SluiceCommand()).execute(args);
      return new Result(exit, buf.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(old);
    }
  }

  @Test
  void aBrokenFileIsReportedWithFileLineAndRuleAndExitsOne(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("deals.yaml");
    Files.writeString(file, """
        rules:
          deal-placed:
            on: hs/deal.propertyChange
            when: record.dealstage == placement
            actions:
              - email.send: {to: ops@example.com}
        """);
    Result r = run("rules", "check", "--file", file.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains(file + ":4: rule 'deal-placed': when: CEL: ")
        .contains(file + ":6: rule 'deal-placed': unknown action 'email.send'")
        .contains("2 error(s)");
  }

  @Test
  void theConfigsRulesAreCheckedAgainstItsSlackWorkspaces(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("deals.yaml"), """
        rules:
          deal-placed:
            on: hs/deal.propertyChange
            actions:
              - slack.post: {connection: slack-ops, channel: ops, text: "{{record.dealname}}"}
        """);
    Path config = dir.resolve("sluice.yaml");
    Files.writeString(config, "rules:\n  files: [deals.yaml]\n  slack:\n    slack-ops: {bot_token: '${RULES_TEST_UNSET_TOKEN}'}\n");
    Result ok = run("rules", "check", "--config", config.toString());
    assertThat(ok.exit()).as(ok.out()).isZero();
    assertThat(ok.out()).contains("1 rule(s) in 1 file(s): OK (deal-placed)");

    Files.writeString(config, "rules:\n  files: [deals.yaml]\n");
    Result missing = run("rules", "check", "--config", config.toString());
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.out()).contains(dir.resolve("deals.yaml") + ":5: rule 'deal-placed': slack.post: no Slack workspace 'slack-ops'");
  }
}
