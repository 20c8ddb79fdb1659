package dev.sluice.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectorFactory;
import dev.sluice.queue.Job;
import dev.sluice.queue.JobState;
import dev.sluice.queue.ratelimit.RateLimits;
import dev.sluice.sandbox.FaultRule;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.sheets.SheetsOptions;
import dev.sluice.sandbox.sheets.SheetsSandbox;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code sheets.append} against the sandbox's Google Sheets {@code values.append}: a row per job,
 * the job's dedupe key in the key column, and a retry after a lost response that finds the key and
 * appends nothing.
 */
class SheetsAppendContractTest extends ActionContractTest {
  static final String SPREADSHEET = SheetsOptions.DEFAULT_SPREADSHEET_ID;
  SheetsSandbox sheets;

  @Override
  protected String kind() {
    return "sheets.append";
  }

  @Override
  protected void startDestination() {
    sheets = new SheetsSandbox(SheetsOptions.builder().writesPerMinute(10_000, 10_000).readsPerMinute(10_000, 10_000).build());
    sandbox = Sandbox.builder().clock(clock).platform(sheets).start();
    sheets.addRows(SPREADSHEET, "Sheet1", List.of(List.of("deal", "marker", "amount", "note", "key")));
  }

  @Override
  protected String action(String marker) {
    return "sheets.append: {connection: finance, spreadsheet: " + SPREADSHEET + ", range: \"Sheet1!A:D\","
        + " values: [\"{{event.object_id}}\", \"" + marker + "\", \"1200\"], key_column: E}";
  }

  @Override
  protected RulesEngine.Builder targets(RulesEngine.Builder b, URI base) {
    ConnectorFactory factory = new ConnectorFactory(new RateLimits(db.dataSource(), queue.schema(), clock), clock);
    ConnectionConfig config = ConnectionConfig.builder("finance", "google_sheets").baseUrl(base).token(sheets.token(), "SHEETS_TOKEN").build();
    return b.targets(ActionTargets.builder().sheets(config, () -> factory.gate(config)).build());
  }

  @Override
  protected int effects(String marker) {
    return (int) sheets.rows(SPREADSHEET, "Sheet1").stream().filter(r -> r.size() > 1 && marker.equals(r.get(1))).count();
  }

  @Override
  protected FaultProxy.Answer rejection() {
    return new FaultProxy.Answer(400, Map.of("Content-Type", "application/json; charset=UTF-8"),
        "{\"error\":{\"code\":400,\"message\":\"contract_rejected: Unable to parse range: Sheet1!A:D\",\"status\":\"INVALID_ARGUMENT\"}}");
  }

  @Test
  void theRowHoldsTheValuesAndTheDedupeKeyInTheKeyColumn() throws Exception {
    Job job = fire("row-1", false);
    awaitState(job, JobState.COMPLETED);
    JsonNode payload = json(job.payload());
    List<Object> row = sheets.rows(SPREADSHEET, "Sheet1").stream().filter(r -> r.size() > 1 && "row-1".equals(r.get(1))).findFirst().orElseThrow();
    // USER_ENTERED: the id and the amount are read as numbers; D stays empty; E holds the key as text
    assertThat(row).containsExactly(Long.parseLong(payload.path("object_id").asText()), "row-1", 1200L, null, payload.path("dedupe_key").asText());
    JsonNode progress = json(queue.find(job.id()).orElseThrow().progress());
    assertThat(progress.path("result").path("updated_range").asText()).matches("Sheet1!A\\d+:E\\d+");
    assertThat(payload.path("request").path("url").asText())
        .endsWith("/v4/spreadsheets/" + SPREADSHEET + "/values/Sheet1%21A%3AD:append?valueInputOption=USER_ENTERED&insertDataOption=INSERT_ROWS");
    assertThat(payload.path("request").path("headers").path("Authorization").asText()).isEqualTo("Bearer <token of finance>");
  }

  @Test
  void theSandboxsOwnFaultsAreRetriedToOneRow() throws Exception {
    // A connection closed before the request is handled (nothing appended), then a 503 in Google's shape: the retries check the key column first.
    sandbox.faults().add(FaultRule.dropConnection(1.0).onPath("/v4/").times(1));
    sandbox.faults().add(FaultRule.serverError(503, 1.0).onPath("/v4/").times(1));
    try {
      Job job = fire("faulted-1", false);
      awaitState(job, JobState.COMPLETED);
      assertThat(effects("faulted-1")).isEqualTo(1);
      assertThat(queue.find(job.id()).orElseThrow().attempt()).isGreaterThanOrEqualTo(2);
    } finally {
      sandbox.faults().clear();
    }
  }

  @Test
  void googlesQuota429WithoutRetryAfterWaitsForTheQuotaMinute() throws Exception {
    sandbox.faults().add(FaultRule.tooManyRequests(1.0).onPath("/v4/").times(1));
    try {
      Job job = fire("quota-1", false);
      await429(job);
      Job snoozed = queue.find(job.id()).orElseThrow();
      assertThat(snoozed.runAt()).isAfterOrEqualTo(clock.instant().plus(SheetsAppendAction.QUOTA_WINDOW).minusSeconds(1));
      awaitState(job, JobState.COMPLETED);
      assertThat(effects("quota-1")).isEqualTo(1);
    } finally {
      sandbox.faults().clear();
    }
  }

  @Test
  void rulesCheckTypeChecksTheArgumentsWithFileLineAndRule() {
    String yaml = """
        rules:
          sheet:
            on: hs/deal.propertyChange
            actions:
              - sheets.append: {connection: finance, spreadsheet: "x y", range: "Sheet1!A:", values: [{a: 1}], value_input: PARSED, key_column: "9"}
              - sheets.append: {connection: finance, spreadsheet: %s, range: "Sheet1!B:D", values: ["a", "b"], key_column: C, insert: APPEND}
              - sheets.append: {connection: finance, spreadsheet: %s, range: "Sheet1!A:D"}
        """.formatted(SPREADSHEET, SPREADSHEET);
    assertThatThrownBy(() -> RuleSet.parse("sheet.yaml", yaml)).isInstanceOf(RuleFileException.class)
        .satisfies(e -> assertThat(((RuleFileException) e).errors()).extracting(RuleError::toString).containsExactly(
            "sheet.yaml:5: rule 'sheet': sheets.append: values[0] must be one cell (a text, number or boolean), not a mapping",
            "sheet.yaml:5: rule 'sheet': sheets.append: value_input must be RAW or USER_ENTERED, got 'PARSED'",
            "sheet.yaml:5: rule 'sheet': sheets.append: key_column must be a column's letters (A to ZZZ), got '9'",
            "sheet.yaml:5: rule 'sheet': sheets.append: spreadsheet must be a spreadsheet id (the part of its URL after /d/), got 'x y'",
            "sheet.yaml:5: rule 'sheet': sheets.append: range 'Sheet1!A:' is not A1 notation (e.g. Placements!A:E, 'My Sheet'!A1)",
            "sheet.yaml:6: rule 'sheet': sheets.append: insert must be INSERT_ROWS or OVERWRITE, got 'APPEND'",
            "sheet.yaml:6: rule 'sheet': sheets.append: key_column C would hold a value: the 2 values fill B to C; name a column right of C"
                + " (or leave key_column out for D)",
            "sheet.yaml:7: rule 'sheet': sheets.append: missing argument 'values'"));
    // the connection is checked against sluice.yaml's google_sheets connections
    RuleSet ok = RuleSet.parse("ok.yaml", yaml.lines().filter(l -> !l.contains("- sheets")).collect(java.util.stream.Collectors.joining("\n"))
        + "\n      - sheets.append: {connection: ledger, spreadsheet: " + SPREADSHEET + ", range: Sheet1, values: [\"{{record.dealname}}\"]}\n");
    ConnectionConfig finance = ConnectionConfig.builder("finance", "google_sheets").baseUrl(URI.create("https://sheets.googleapis.com"))
        .token("t", "T").build();
    assertThat(ok.configProblems(ActionTargets.builder().sheetsName(finance).build())).extracting(RuleError::message)
        .containsExactly("sheets.append: no Google Sheets connection 'ledger' (platform: google_sheets) under connections in sluice.yaml (configured: finance)");
  }

  private void await429(Job job) {
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> {
      Job j = queue.find(job.id()).orElseThrow();
      return j.state() == JobState.READY && j.runAt().isAfter(clock.instant());
    });
  }
}
