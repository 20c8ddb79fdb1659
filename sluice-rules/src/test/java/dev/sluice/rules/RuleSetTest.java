package dev.sluice.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleSetTest {
  static final String GOOD = """
      rules:
        deal-placed:
          on: hs/deal.propertyChange
          when: event.property == "dealstage" && record.dealstage == "placement" && previous.dealstage != "placement"
          actions:
            - slack.post: {connection: slack-ops, channel: "#placements", text: "{{record.dealname}} placed"}
          dedupe: '"deal:" + event.object_id + ":placement"'
          dedupe_window: 30d
      """;

  @Test
  void aGoodFileLoadsWithItsConditionsSplitAtTopLevelAnd() {
    RuleSet set = RuleSet.parse("good.yaml", GOOD);
    assertThat(set.names()).containsExactly("deal-placed");
    Rule r = set.rules().get(0);
    assertThat(r.conditions()).extracting(Cel.Expr::source)
        .containsExactly("event.property == \"dealstage\"", "record.dealstage == \"placement\"", "previous.dealstage != \"placement\"");
    assertThat(r.connection()).isEqualTo("hs");
    assertThat(r.eventType()).isEqualTo("deal.propertyChange");
    assertThat(set.dedupeWindows()).containsEntry("slack.post", java.time.Duration.ofDays(30));
  }

  @Test
  void aBrokenFileReportsEachErrorWithFileLineAndRule(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("broken.yaml");
    Files.writeString(file, """
        rules:
          ok-rule:
            on: hs/contact.creation
            actions:
              - http.request: {url: "https://erp.example/contacts"}
          typo-rule:
            on: hs/deal.propertyChange
            when: event.property == "dealstage" && deal.stage == "placement"
            actions:
              - slack.post: {connection: slack-ops, channel: "#x", text: "hi"}
          bad-action:
            on: hs-deal-propertyChange
            actions:
              - email.send: {to: "a@b.c"}
            dedupe: 'event.object_id + 1'
            shadow: maybe
        """);
    List<RuleError> errors = RuleSet.check(List.of(file));
    assertThat(errors).extracting(RuleError::rule).containsOnly("typo-rule", "bad-action");
    assertThat(errors).allSatisfy(e -> assertThat(e.file()).isEqualTo(file.toString()));
    assertThat(errors).filteredOn(e -> e.rule().equals("typo-rule")).singleElement()
        .satisfies(e -> {
          assertThat(e.line()).isEqualTo(8);
          assertThat(e.message()).contains("deal");
        });
    assertThat(errors).filteredOn(e -> e.rule().equals("bad-action")).extracting(RuleError::line).containsExactlyInAnyOrder(12, 14, 15, 16);
    assertThat(errors).filteredOn(e -> e.line() == 14).singleElement().satisfies(e -> assertThat(e.message()).contains("unknown action 'email.send'"));
    assertThatThrownBy(() -> RuleSet.load(List.of(file))).isInstanceOf(RuleFileException.class)
        .hasMessageContaining(file + ":8: rule 'typo-rule'");
  }

  @Test
  void yamlSyntaxErrorsAndMissingArgumentsAreReported() {
    assertThatThrownBy(() -> RuleSet.parse("syntax.yaml", "rules:\n  a: [unclosed\n")).isInstanceOf(RuleFileException.class)
        .satisfies(e -> assertThat(((RuleFileException) e).errors()).singleElement().satisfies(x -> assertThat(x.message()).startsWith("YAML")));
    assertThatThrownBy(() -> RuleSet.parse("args.yaml", """
        rules:
          r:
            on: hs/deal.creation
            actions:
              - slack.post: {connection: slack-ops, text: "{{#unclosed}}"}
        """)).isInstanceOf(RuleFileException.class)
        .hasMessageContaining("args.yaml:5: rule 'r': slack.post: missing argument 'channel'")
        .hasMessageContaining("template");
  }

  @Test
  void conjunctsRespectParenthesesStringsAndOr() {
    assertThat(Cel.conjuncts("a && (b && c) && d == \"x && y\"")).containsExactly("a", "(b && c)", "d == \"x && y\"");
    assertThat(Cel.conjuncts("a && b || c")).containsExactly("a && b || c");
  }
}
