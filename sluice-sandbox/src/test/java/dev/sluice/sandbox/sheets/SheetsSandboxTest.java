package dev.sluice.sandbox.sheets;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.sandbox.FaultRule;
import dev.sluice.sandbox.ManualClock;
import dev.sluice.sandbox.Sandbox;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SheetsSandboxTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ID = SheetsOptions.DEFAULT_SPREADSHEET_ID;

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ManualClock clock = new ManualClock(Instant.parse("2026-12-07T09:00:10Z"));
  private Sandbox server;
  private SheetsSandbox sheets;

  private void start(SheetsOptions.Builder options) {
    sheets = new SheetsSandbox(options.build());
    server = Sandbox.builder().clock(clock).platform(sheets).start();
  }

  @AfterEach
  void stop() {
    if (server != null) server.close();
  }

  private static String encode(String range) {
    return URLEncoder.encode(range, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private HttpResponse<String> append(String id, String range, String query, String body, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v4/spreadsheets/" + id + "/values/" + encode(range) + ":append" + query))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) b.header("Authorization", "Bearer " + token);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> append(String range, List<?>... rows) throws Exception {
    return append(ID, range, "?valueInputOption=USER_ENTERED", JSON.writeValueAsString(java.util.Map.of("values", Arrays.asList(rows))), sheets.token());
  }

  private HttpResponse<String> get(String range, String query) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v4/spreadsheets/" + ID + "/values/" + encode(range) + query))
        .header("Authorization", "Bearer " + sheets.token()).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  @Test
  void appendWritesAfterTheTableAndAnswersAsGoogleDoes() throws Exception {
    start(SheetsOptions.builder());
    sheets.addRows(ID, "Sheet1", List.of(List.of("date", "name", "stage")));
    HttpResponse<String> first = append("Sheet1!A:C", List.of("2026-12-07", "Ada", "placed"));
    assertThat(first.statusCode()).isEqualTo(200);
    JsonNode body = json(first);
    assertThat(body.path("spreadsheetId").asText()).isEqualTo(ID);
    assertThat(body.path("tableRange").asText()).isEqualTo("Sheet1!A1:C1");
    assertThat(body.path("updates").path("updatedRange").asText()).isEqualTo("Sheet1!A2:C2");
    assertThat(body.path("updates").path("updatedRows").asInt()).isEqualTo(1);
    assertThat(body.path("updates").path("updatedColumns").asInt()).isEqualTo(3);
    assertThat(body.path("updates").path("updatedCells").asInt()).isEqualTo(3);
    JsonNode second = json(append("Sheet1!A1", List.of("2026-12-08", "Grace", "1200")));
    assertThat(second.path("tableRange").asText()).isEqualTo("Sheet1!A1:C2");
    assertThat(second.path("updates").path("updatedRange").asText()).isEqualTo("Sheet1!A3:C3");
    // USER_ENTERED reads numbers; RAW keeps text
    assertThat(sheets.rows(ID, "Sheet1").get(2)).containsExactly("2026-12-08", "Grace", 1200L);
    append(ID, "Sheet1!A:C", "?valueInputOption=RAW", "{\"values\":[[\"x\",\"y\",\"007\"]]}", sheets.token());
    assertThat(sheets.rows(ID, "Sheet1").get(3)).containsExactly("x", "y", "007");

    JsonNode read = json(get("Sheet1!C:C", ""));
    assertThat(read.path("range").asText()).isEqualTo("Sheet1!C1:C1000");
    assertThat(read.path("majorDimension").asText()).isEqualTo("ROWS");
    assertThat(read.path("values").toString()).isEqualTo("[[\"stage\"],[\"placed\"],[\"1200\"],[\"007\"]]");
    assertThat(json(get("Sheet1!C3", "?valueRenderOption=UNFORMATTED_VALUE")).path("values").toString()).isEqualTo("[[1200]]");
    assertThat(json(get("Archive!A1:B5", "")).has("values")).isFalse();
  }

  @Test
  void insertRowsShiftsTheRowsBelowAndOverwriteDoesNot() throws Exception {
    start(SheetsOptions.builder());
    sheets.addRows(ID, "Sheet1", List.of(List.of("h1", "h2"), List.of("a", "b")));
    sheets.addRows(ID, "Sheet1", List.of(Arrays.asList(null, null, "side note")));
    // the table in A:B ends at row 2; row 3 holds a note in column C only
    append(ID, "Sheet1!A:B", "?valueInputOption=RAW&insertDataOption=INSERT_ROWS", "{\"values\":[[\"c\",\"d\"]]}", sheets.token());
    List<List<Object>> rows = sheets.rows(ID, "Sheet1");
    assertThat(rows.get(2)).containsExactly("c", "d");
    assertThat(rows.get(3)).containsExactly(null, null, "side note");
    append(ID, "Sheet1!A:B", "?valueInputOption=RAW&insertDataOption=OVERWRITE", "{\"values\":[[\"e\",\"f\"]]}", sheets.token());
    assertThat(sheets.rows(ID, "Sheet1").get(3)).containsExactly("e", "f", "side note");
  }

  @Test
  void errorsHaveGooglesShape() throws Exception {
    start(SheetsOptions.builder());
    HttpResponse<String> noAuth = append(ID, "Sheet1!A1", "?valueInputOption=RAW", "{\"values\":[[1]]}", null);
    assertThat(noAuth.statusCode()).isEqualTo(401);
    assertThat(json(noAuth).path("error").path("status").asText()).isEqualTo("UNAUTHENTICATED");
    assertThat(append(ID, "Sheet1!A1", "?valueInputOption=RAW", "{}", "ya29.wrong").statusCode()).isEqualTo(401);

    HttpResponse<String> missing = append("1NoSuchSpreadsheet000000000000", "Sheet1!A1", "?valueInputOption=RAW", "{}", sheets.token());
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(json(missing).path("error").toString())
        .isEqualTo("{\"code\":404,\"message\":\"Requested entity was not found.\",\"status\":\"NOT_FOUND\"}");

    HttpResponse<String> badRange = append("Nope!A1", List.of("x"));
    assertThat(badRange.statusCode()).isEqualTo(400);
    assertThat(json(badRange).path("error").path("status").asText()).isEqualTo("INVALID_ARGUMENT");
    assertThat(json(badRange).path("error").path("message").asText()).isEqualTo("Unable to parse range: Nope!A1");
    assertThat(append("Sheet1!A1:", List.of("x")).statusCode()).isEqualTo(400);

    HttpResponse<String> noOption = append(ID, "Sheet1!A1", "", "{\"values\":[[1]]}", sheets.token());
    assertThat(json(noOption).path("error").path("message").asText()).isEqualTo("'valueInputOption' is required but not specified");
    assertThat(append(ID, "Sheet1!A1", "?valueInputOption=PARSED", "{}", sheets.token()).statusCode()).isEqualTo(400);
    assertThat(append(ID, "Sheet1!A1", "?valueInputOption=RAW", "{\"values\":[[{\"a\":1}]]}", sheets.token()).statusCode()).isEqualTo(400);
    assertThat(append(ID, "Sheet1!A1", "?valueInputOption=RAW", "{\"range\":\"Sheet1!B1\",\"values\":[[1]]}", sheets.token()).statusCode())
        .isEqualTo(400);
    assertThat(sheets.rows(ID, "Sheet1")).isEmpty();
    assertThat(append("'My ''odd'' sheet'!A1", List.of("x")).statusCode()).isEqualTo(400); // no such sheet, but parsed
  }

  @Test
  void writesPerMinutePerUserAreAnswered429ResourceExhaustedUntilTheMinuteTurns() throws Exception {
    start(SheetsOptions.builder().writesPerMinute(3, 300).user("ya29.second-user"));
    for (int i = 0; i < 3; i++) assertThat(append("Sheet1!A:A", List.of("w" + i)).statusCode()).isEqualTo(200);
    HttpResponse<String> over = append("Sheet1!A:A", List.of("w3"));
    assertThat(over.statusCode()).isEqualTo(429);
    assertThat(over.headers().firstValue("Retry-After")).isEmpty();
    JsonNode error = json(over).path("error");
    assertThat(error.path("status").asText()).isEqualTo("RESOURCE_EXHAUSTED");
    assertThat(error.path("message").asText()).contains("'Write requests per minute per user'");
    // another user of the project has a quota of its own; reads count apart
    assertThat(append(ID, "Sheet1!A:A", "?valueInputOption=RAW", "{\"values\":[[\"u2\"]]}", "ya29.second-user").statusCode()).isEqualTo(200);
    assertThat(get("Sheet1!A:A", "").statusCode()).isEqualTo(200);
    clock.advance(Duration.ofSeconds(50)); // 09:01:00: the minute turned
    assertThat(append("Sheet1!A:A", List.of("w4")).statusCode()).isEqualTo(200);
    assertThat(sheets.rows(ID, "Sheet1")).hasSize(5);
    assertThat(sheets.rateLimitedCount()).isEqualTo(1);
  }

  @Test
  void injectedFaultsUseGooglesErrorBodies() throws Exception {
    start(SheetsOptions.builder());
    server.faults().add(FaultRule.tooManyRequests(1.0).times(1));
    server.faults().add(FaultRule.serverError(503, 1.0).times(1));
    HttpResponse<String> throttled = append("Sheet1!A1", List.of("x"));
    assertThat(throttled.statusCode()).isEqualTo(429);
    assertThat(json(throttled).path("error").path("status").asText()).isEqualTo("RESOURCE_EXHAUSTED");
    HttpResponse<String> unavailable = append("Sheet1!A1", List.of("x"));
    assertThat(unavailable.statusCode()).isEqualTo(503);
    assertThat(json(unavailable).path("error").path("status").asText()).isEqualTo("UNAVAILABLE");
    assertThat(sheets.rows(ID, "Sheet1")).isEmpty();
  }

  @Test
  void theAdminApiMakesSpreadsheetsAndReadsRowsAndTheGeneratorIsDeterministic() throws Exception {
    start(SheetsOptions.builder().generate(7, 2, 5));
    HttpResponse<String> made = http.send(HttpRequest.newBuilder(URI.create(server.adminUrl() + "/sheets/spreadsheets"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"Finance\",\"sheets\":[\"Placements\"]}")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(made.statusCode()).isEqualTo(201);
    String id = json(made).path("spreadsheetId").asText();
    assertThat(id).hasSize(44);
    assertThat(http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v4/spreadsheets/" + id + "/values/Placements!A1:append?valueInputOption=RAW"))
        .header("Authorization", "Bearer " + sheets.token()).POST(HttpRequest.BodyPublishers.ofString("{\"values\":[[\"Ada\",true]]}")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    HttpResponse<String> rows = http.send(HttpRequest.newBuilder(URI.create(server.adminUrl() + "/sheets/spreadsheets/" + id + "/sheets/Placements/rows"))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(json(rows).path("rows").toString()).isEqualTo("[[\"Ada\",true]]");

    List<String> generated = sheets.spreadsheetIds().stream().filter(s -> !s.equals(ID) && !s.equals(id)).toList();
    assertThat(generated).hasSize(2);
    assertThat(sheets.rows(generated.get(0), "Sheet1")).hasSize(6);
    SheetsSandbox again = new SheetsSandbox(SheetsOptions.builder().generate(7, 2, 5).build());
    assertThat(again.spreadsheetIds()).containsAll(generated);
    assertThat(again.rows(generated.get(1), "Sheet1")).isEqualTo(sheets.rows(generated.get(1), "Sheet1"));
  }

  @Test
  void a1RangesParseAsGoogleReadsThem() {
    assertThat(A1Range.parse("Sheet1!A1:C3")).contains(new A1Range("Sheet1", 0, 0, 2, 2));
    assertThat(A1Range.parse("'My Sheet'!b:d")).contains(new A1Range("My Sheet", 1, null, 3, null));
    assertThat(A1Range.parse("Sheet1!2:4")).contains(new A1Range("Sheet1", null, 1, null, 3));
    assertThat(A1Range.parse("Sheet1!A5:C")).contains(new A1Range("Sheet1", 0, 4, 2, null));
    assertThat(A1Range.parse("A1:B2")).contains(new A1Range(null, 0, 0, 1, 1));
    assertThat(A1Range.parse("Placements")).contains(new A1Range("Placements", null, null, null, null));
    assertThat(A1Range.parse("Sheet1!A")).isEmpty();
    assertThat(A1Range.parse("Sheet1!AAAA1")).isEmpty();
    assertThat(A1Range.columnLetters(0)).isEqualTo("A");
    assertThat(A1Range.columnLetters(27)).isEqualTo("AB");
    assertThat(A1Range.quoteSheet("My 'x'")).isEqualTo("'My ''x'''");
  }
}
