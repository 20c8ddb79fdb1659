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
    assertThat(r.dedupeWindow()).isEqualTo(java.time.Duration.ofDays(30));
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
              - sms.send: {to: "a@b.c"}
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
    assertThat(errors).filteredOn(e -> e.line() == 14).singleElement().satisfies(e -> assertThat(e.message()).contains("unknown action 'sms.send'"));
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

  @Test
  void helperFunctionsAreTypeCheckedAtLoadAndComputeWhatTheySay() throws Exception {
    Cel.Expr e = Cel.bool("isoWeek(event.occurred_at) == \"2026-W50\" && isoWeek(now) == \"2026-W50\""
        + " && lower(record.Name) == \"acme\" && normalizeEmail(record.email) == \"jodoe@gmail.com\""
        + " && daysBetween(timestamp(\"2026-12-01T00:00:00Z\"), now) == 6 && daysBetween(event.occurred_at, now) == -2");
    java.util.Map<String, Object> vars = new java.util.HashMap<>();
    vars.put("event", java.util.Map.of("occurred_at", "2026-12-10T08:00:00Z"));
    vars.put("record", java.util.Map.of("Name", "ACME", "email", " Jo.Doe+news@GoogleMail.com "));
    vars.put("previous", java.util.Map.of());
    vars.put("now", Cel.timestamp(java.time.Instant.parse("2026-12-07T09:30:00Z")));
    assertThat(e.eval(vars)).isEqualTo(true);
    assertThat(Cel.string("isoWeek(\"2021-01-03\")").eval(vars)).isEqualTo("2020-W53");
    assertThat(Cel.bool("has(record.Name) && !has(record.nope) && [1, 2].exists(x, x == 2)").eval(vars)).as("standard macros").isEqualTo(true);
    assertThatThrownBy(() -> Cel.bool("isoWeek(1) == \"x\"")).isInstanceOf(Cel.CompileError.class).hasMessageContaining("isoWeek");
    assertThatThrownBy(() -> Cel.bool("daysBetween(now) > 1")).isInstanceOf(Cel.CompileError.class);
    assertThatThrownBy(() -> Cel.string("isoWeek(\"yesterday\")").eval(vars)).hasMessageContaining("is not a time");
  }

  @Test
  void triggersEnrollDelayAndFlowControlAreCheckedWithTheirLines() {
    RuleSet ok = RuleSet.parse("ok.yaml", """
        rules:
          nightly:
            on: {schedule: "0 7 * * 1-5", zone: Europe/Amsterdam, report: dead-jobs}
            actions:
              - http.request: {url: "https://ops.example/report"}
          lead:
            on: leads/website
            enroll: once-per-transition
            delay: 10m
            throttle: {limit: 10, period: 1m}
            actions:
              - http.request: {url: "https://crm.example/leads"}
                debounce: {period: 5m, key: event.email}
                priority: 3
          changed:
            on: hubspot-main/contact.syncChange
            actions:
              - http.request: {url: "https://crm.example/contacts"}
        """);
    assertThat(ok.rules().get(0).trigger()).isEqualTo(new Trigger.Schedule("0 7 * * 1-5", java.time.ZoneId.of("Europe/Amsterdam"), "dead-jobs"));
    Rule lead = ok.rules().get(1);
    assertThat(lead.trigger()).isEqualTo(new Trigger.Lead("website"));
    assertThat(lead.enroll()).isEqualTo(Rule.Enroll.ONCE_PER_TRANSITION);
    assertThat(lead.delay()).isEqualTo(java.time.Duration.ofMinutes(10));
    assertThat(lead.flowOf(0).throttle().limit()).isEqualTo(10);
    assertThat(lead.flowOf(0).debounce().maxWait()).isEqualTo(java.time.Duration.ofMinutes(50));
    assertThat(lead.flowOf(0).priority().source()).isEqualTo("3");
    assertThat(ok.rules().get(2).trigger()).isEqualTo(new Trigger.SyncChange("hubspot-main", "contact", "contacts"));

    assertThatThrownBy(() -> RuleSet.parse("bad.yaml", """
        rules:
          a:
            on: {schedule: "61 * * * *"}
            enroll: sometimes
            actions:
              - http.request: {url: "https://x.example"}
          b:
            on: hs/deal.creation
            delay: soon
            throttle: {limit: 0, period: 1m}
            actions:
              - http.request: {url: "https://x.example"}
                debounce: {period: 5m, key: "event.nope +"}
        """)).isInstanceOf(RuleFileException.class).satisfies(x -> assertThat(((RuleFileException) x).errors())
        .extracting(RuleError::toString).containsExactlyInAnyOrder(
            "bad.yaml:3: rule 'a': schedule '61 * * * *' is not a Unix cron expression (minute hour day-of-month month day-of-week): "
                + "Failed to parse cron expression. Value 61 not in range [0, 59]",
            "bad.yaml:4: rule 'a': enroll must be every-time or once-per-transition",
            "bad.yaml:9: rule 'b': delay must be a duration such as 0s, 10m, 2h or 1d",
            "bad.yaml:10: rule 'b': throttle: limit must be a positive integer; got '0'",
            "bad.yaml:13: rule 'b': debounce: CEL: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER} (column 13) in `event.nope +`"));
  }

  @Test
  void theWorkedExampleInDocsRulesMdLoads() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "rules.md"));
    int at = doc.indexOf("<!-- worked-example -->");
    assertThat(at).as("docs/rules.md has the worked example").isPositive();
    int start = doc.indexOf("```yaml\n", at) + "```yaml\n".length();
    String yaml = doc.substring(start, doc.indexOf("```", start));
    RuleSet set = RuleSet.parse("docs/rules.md", yaml);
    assertThat(set.names()).containsExactly("candidate-stage-email", "recruiter-task", "client-channel", "placement-sheet",
        "outreach-status", "exact-invoice-draft", "dead-job-report");
    assertThat(set.concurrencyLimits()).containsEntry("http.request", 1).containsEntry("slack.post", 1);
  }
}
