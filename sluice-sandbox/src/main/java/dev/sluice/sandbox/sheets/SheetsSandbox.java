package dev.sluice.sandbox.sheets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.sandbox.PlatformClock;
import dev.sluice.sandbox.PlatformSandbox;
import dev.sluice.sandbox.SandboxServices;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * The Google Sheets API v4's {@code spreadsheets.values.append} and {@code spreadsheets.values.get}
 * under {@value #PREFIX}: OAuth bearer tokens (one per user), A1 ranges, Google's error body
 * {@code {"error":{"code","message","status"}}} and its per-minute read and write quotas per user and
 * per project, answered 429 {@code RESOURCE_EXHAUSTED} (without {@code Retry-After}, as Google's).
 * Spreadsheets are made by the options, the generator or the admin API. Thread-safe.
 */
public final class SheetsSandbox implements PlatformSandbox {
  public static final String PREFIX = "/v4/spreadsheets";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> VALUE_INPUT = Set.of("RAW", "USER_ENTERED");
  private static final Set<String> INSERT_DATA = Set.of("OVERWRITE", "INSERT_ROWS");
  private static final Set<String> RENDER = Set.of("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA");
  private static final Set<String> DIMENSIONS = Set.of("ROWS", "COLUMNS", "DIMENSION_UNSPECIFIED");
  private static final Pattern INTEGER = Pattern.compile("[-+]?\\d{1,18}");
  private static final Pattern DECIMAL = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");
  private static final String ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

  private final SheetsOptions options;
  private final PlatformClock clock;
  private final SheetsQuota quota;
  private final Map<String, Spreadsheet> spreadsheets = new ConcurrentHashMap<>();
  private final Random ids;
  private final AtomicLong appends = new AtomicLong();
  private final AtomicLong reads = new AtomicLong();
  private final AtomicLong rateLimited = new AtomicLong();

  public SheetsSandbox(SheetsOptions options) {
    this.options = options;
    this.clock = new PlatformClock(options.clock());
    this.quota = new SheetsQuota(clock, options);
    this.ids = new Random(options.seed());
    options.spreadsheets().forEach(s -> createSpreadsheet(s.id(), s.title(), s.sheets()));
    generate(options.seed(), options.generatedSpreadsheets(), options.generatedRows());
  }

  @Override
  public String name() {
    return "sheets";
  }

  @Override
  public void attach(SandboxServices services) {
    clock.adopt(services.clock());
  }

  @Override
  public boolean ownsPath(String path) {
    return path.startsWith(PREFIX + "/") || path.equals(PREFIX);
  }

  @Override
  public Map<String, Object> describe(String serverBaseUrl) {
    String base = serverBaseUrl.endsWith("/") ? serverBaseUrl.substring(0, serverBaseUrl.length() - 1) : serverBaseUrl;
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("base_url", base);
    d.put("token", options.token());
    d.put("project_number", options.projectNumber());
    Map<String, String> titles = new LinkedHashMap<>();
    spreadsheets.values().stream().sorted(java.util.Comparator.comparing(Spreadsheet::id)).forEach(s -> titles.put(s.id(), s.title()));
    d.put("spreadsheets", titles);
    return d;
  }

  @Override
  public void routes(JavalinDefaultRoutingApi app) {
    app.post(PREFIX + "/{id}/values/{range}", this::append);
    app.get(PREFIX + "/{id}/values/{range}", this::get);
    new SheetsAdminRoutes(this).register(app);
  }

  /** An injected rate-limit fault: Google's 429 for the write (POST) or read quota per user, no Retry-After. */
  @Override
  public void writeInjectedRateLimit(Context ctx) {
    boolean write = !"GET".equals(ctx.method().name());
    String kind = write ? "Write" : "Read";
    quotaError(ctx, new SheetsQuota.Exceeded(kind + " requests", kind + " requests per minute per user", kind + "RequestsPerMinutePerUser", 60));
  }

  @Override
  public void writeInjectedServerError(Context ctx, int status) {
    switch (status) {
      case 503 -> error(ctx, 503, "UNAVAILABLE", "The service is currently unavailable.");
      case 504 -> error(ctx, 504, "DEADLINE_EXCEEDED", "The request timed out.");
      case 501 -> error(ctx, 501, "UNIMPLEMENTED", "Operation is not implemented, or supported, or enabled.");
      default -> error(ctx, status, "INTERNAL", "Internal error encountered.");
    }
  }

  @Override
  public void writeUnknownEndpoint(Context ctx) {
    error(ctx, 404, "NOT_FOUND", "Method not found.");
  }

  // ---- Java accessors ----

  public SheetsOptions options() {
    return options;
  }

  /** The default user's OAuth token. */
  public String token() {
    return options.token();
  }

  /** Makes a spreadsheet with these sheets; a null id draws one of 44 characters like Google's. Returns the id. */
  public String createSpreadsheet(String id, String title, List<String> sheets) {
    String sid = id != null ? id : newId();
    Spreadsheet s = new Spreadsheet(sid, title == null ? "Untitled spreadsheet" : title, sheets.isEmpty() ? List.of("Sheet1") : sheets);
    if (spreadsheets.putIfAbsent(sid, s) != null) throw new IllegalArgumentException("spreadsheet " + sid + " exists");
    return sid;
  }

  public Optional<Spreadsheet> spreadsheet(String id) {
    return Optional.ofNullable(spreadsheets.get(id));
  }

  public List<String> spreadsheetIds() {
    return spreadsheets.keySet().stream().sorted().toList();
  }

  /** Every row of a sheet as stored (cells: String, Long, Double, Boolean or null), trailing empty rows dropped. */
  public List<List<Object>> rows(String spreadsheetId, String sheet) {
    Spreadsheet s = spreadsheets.get(spreadsheetId);
    if (s == null) throw new IllegalArgumentException("no spreadsheet " + spreadsheetId);
    return s.rows(sheet);
  }

  /** Adds rows after the last row of a sheet without the API (no quota, no checks). */
  public void addRows(String spreadsheetId, String sheet, List<List<Object>> rows) {
    Spreadsheet s = spreadsheets.get(spreadsheetId);
    if (s == null) throw new IllegalArgumentException("no spreadsheet " + spreadsheetId);
    s.addRows(sheet, rows);
  }

  /** Successful {@code values.append} calls. */
  public long appendCount() {
    return appends.get();
  }

  /** Successful {@code values.get} calls. */
  public long readCount() {
    return reads.get();
  }

  /** 429 answers served for the quotas (injected faults not counted). */
  public long rateLimitedCount() {
    return rateLimited.get();
  }

  // ---- the API ----

  private void append(Context ctx) {
    String token = authenticated(ctx);
    if (token == null || !withinQuota(ctx, token, true)) return;
    String raw = ctx.pathParam("range");
    if (!raw.endsWith(":append")) {
      error(ctx, 404, "NOT_FOUND", "Method not found.");
      return;
    }
    Target t = target(ctx, raw.substring(0, raw.length() - ":append".length()));
    if (t == null) return;
    String input = ctx.queryParam("valueInputOption");
    if (input == null || input.isBlank()) {
      error(ctx, 400, "INVALID_ARGUMENT", "'valueInputOption' is required but not specified");
      return;
    }
    if (!VALUE_INPUT.contains(input)) {
      invalidEnum(ctx, "value_input_option", "ValueInputOption", input);
      return;
    }
    String insert = Optional.ofNullable(ctx.queryParam("insertDataOption")).orElse("OVERWRITE");
    if (!INSERT_DATA.contains(insert)) {
      invalidEnum(ctx, "insert_data_option", "InsertDataOption", insert);
      return;
    }
    JsonNode body;
    try {
      body = JSON.readTree(ctx.body().isBlank() ? "{}" : ctx.body());
      if (body == null || !body.isObject()) throw new IllegalArgumentException("the body must be a ValueRange object");
    } catch (Exception e) {
      error(ctx, 400, "INVALID_ARGUMENT", "Invalid JSON payload received. " + firstLine(e.getMessage()));
      return;
    }
    if (body.hasNonNull("range")) {
      Optional<A1Range> inBody = A1Range.parse(body.get("range").asText());
      if (inBody.isEmpty() || !t.spreadsheet.sheetOf(inBody.get()).equals(Optional.of(t.sheet))
          || !sameCells(inBody.get(), t.range)) {
        error(ctx, 400, "INVALID_ARGUMENT", "Requested writing within range [" + raw.substring(0, raw.length() - 7)
            + "], but tried writing within range [" + body.get("range").asText() + "]");
        return;
      }
    }
    String dimension = body.path("majorDimension").asText("ROWS");
    if (!DIMENSIONS.contains(dimension)) {
      invalidEnum(ctx, "data.major_dimension", "Dimension", dimension);
      return;
    }
    List<List<Object>> values = new ArrayList<>();
    JsonNode v = body.path("values");
    if (!v.isMissingNode() && !v.isNull() && !v.isArray()) {
      error(ctx, 400, "INVALID_ARGUMENT", "Invalid JSON payload received. Unknown name \"values\": Proto field is not repeating, cannot start list.");
      return;
    }
    for (int i = 0; i < v.size(); i++) {
      JsonNode row = v.get(i);
      if (!row.isArray()) {
        error(ctx, 400, "INVALID_ARGUMENT", "Invalid values[" + i + "]: " + row);
        return;
      }
      List<Object> cells = new ArrayList<>();
      for (int j = 0; j < row.size(); j++) {
        JsonNode c = row.get(j);
        if (c.isContainerNode()) {
          error(ctx, 400, "INVALID_ARGUMENT", "Invalid values[" + i + "][" + j + "]: " + (c.isArray() ? "list_value" : "struct_value") + " " + c);
          return;
        }
        cells.add(cell(c, input.equals("USER_ENTERED")));
      }
      values.add(cells);
    }
    if (dimension.equals("COLUMNS")) values = transpose(values);
    Spreadsheet.Appended a = t.spreadsheet.append(t.sheet, t.range, values, insert.equals("INSERT_ROWS"));
    appends.incrementAndGet();
    ObjectNode out = JSON.createObjectNode();
    out.put("spreadsheetId", t.spreadsheet.id());
    if (a.tableRange() != null) out.put("tableRange", a.tableRange());
    ObjectNode updates = out.putObject("updates").put("spreadsheetId", t.spreadsheet.id());
    if (a.updatedRange() != null) {
      updates.put("updatedRange", a.updatedRange()).put("updatedRows", a.rows()).put("updatedColumns", a.columns()).put("updatedCells", a.cells());
      if ("true".equalsIgnoreCase(ctx.queryParam("includeValuesInResponse"))) {
        ObjectNode data = updates.putObject("updatedData").put("range", a.updatedRange()).put("majorDimension", "ROWS");
        data.set("values", render(a.values(), "FORMATTED_VALUE"));
      }
    }
    ctx.status(200).contentType("application/json; charset=UTF-8").result(out.toString());
  }

  private void get(Context ctx) {
    String token = authenticated(ctx);
    if (token == null || !withinQuota(ctx, token, false)) return;
    Target t = target(ctx, ctx.pathParam("range"));
    if (t == null) return;
    String render = Optional.ofNullable(ctx.queryParam("valueRenderOption")).orElse("FORMATTED_VALUE");
    if (!RENDER.contains(render)) {
      invalidEnum(ctx, "value_render_option", "ValueRenderOption", render);
      return;
    }
    String dimension = Optional.ofNullable(ctx.queryParam("majorDimension")).orElse("ROWS");
    if (!DIMENSIONS.contains(dimension)) {
      invalidEnum(ctx, "major_dimension", "Dimension", dimension);
      return;
    }
    int[] grid = t.spreadsheet.grid(t.sheet);
    if (t.range.firstRow() >= grid[0] || t.range.firstCol() >= grid[1]) {
      error(ctx, 400, "INVALID_ARGUMENT", "Range (" + A1Range.quoteSheet(t.sheet) + "!" + A1Range.columnLetters(t.range.firstCol())
          + (t.range.firstRow() + 1) + ") exceeds grid limits. Max rows: " + grid[0] + ", max columns: " + grid[1]);
      return;
    }
    List<List<Object>> values = t.spreadsheet.read(t.sheet, t.range);
    if (dimension.equals("COLUMNS")) values = transpose(values);
    reads.incrementAndGet();
    ObjectNode out = JSON.createObjectNode();
    out.put("range", t.range.format(t.sheet, grid[0], grid[1]));
    out.put("majorDimension", dimension.equals("COLUMNS") ? "COLUMNS" : "ROWS");
    if (!values.isEmpty()) out.set("values", render(values, render));
    ctx.status(200).contentType("application/json; charset=UTF-8").result(out.toString());
  }

  /** What a request names: the spreadsheet, the sheet and the range; null once the error is written. */
  private record Target(Spreadsheet spreadsheet, String sheet, A1Range range) {}

  private Target target(Context ctx, String rangeText) {
    Spreadsheet s = spreadsheets.get(ctx.pathParam("id"));
    if (s == null) {
      error(ctx, 404, "NOT_FOUND", "Requested entity was not found.");
      return null;
    }
    Optional<A1Range> range = A1Range.parse(rangeText);
    Optional<String> sheet = range.flatMap(s::sheetOf);
    if (sheet.isEmpty()) {
      error(ctx, 400, "INVALID_ARGUMENT", "Unable to parse range: " + rangeText);
      return null;
    }
    return new Target(s, sheet.get(), range.get());
  }

  private String authenticated(Context ctx) {
    String header = ctx.header("Authorization");
    String token = null;
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) token = header.substring(7).strip();
    else if (ctx.queryParam("access_token") != null) token = ctx.queryParam("access_token");
    if (token == null || token.isEmpty()) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\"");
      error(ctx, 401, "UNAUTHENTICATED", "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or"
          + " other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.");
      return null;
    }
    if (!options.tokens().contains(token)) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"");
      error(ctx, 401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other"
          + " valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.");
      return null;
    }
    return token;
  }

  private boolean withinQuota(Context ctx, String token, boolean write) {
    SheetsQuota.Exceeded e = quota.take(token, write);
    if (e == null) return true;
    rateLimited.incrementAndGet();
    quotaError(ctx, e);
    return false;
  }

  private void quotaError(Context ctx, SheetsQuota.Exceeded e) {
    ObjectNode body = JSON.createObjectNode();
    ObjectNode err = body.putObject("error");
    err.put("code", 429);
    err.put("message", "Quota exceeded for quota metric '" + e.metric() + "' and limit '" + e.limit() + "' of service 'sheets.googleapis.com'"
        + " for consumer 'project_number:" + options.projectNumber() + "'.");
    err.put("status", "RESOURCE_EXHAUSTED");
    ObjectNode info = err.putArray("details").addObject();
    info.put("@type", "type.googleapis.com/google.rpc.ErrorInfo").put("reason", "RATE_LIMIT_EXCEEDED").put("domain", "googleapis.com");
    info.putObject("metadata").put("consumer", "projects/" + options.projectNumber()).put("quota_limit", e.limitId())
        .put("quota_metric", "sheets.googleapis.com/" + e.metric().toLowerCase(Locale.ROOT).replace(' ', '_')).put("service", "sheets.googleapis.com");
    ctx.status(429).contentType("application/json; charset=UTF-8").result(body.toString());
  }

  static void error(Context ctx, int code, String status, String message) {
    ObjectNode body = JSON.createObjectNode();
    body.putObject("error").put("code", code).put("message", message).put("status", status);
    ctx.status(code).contentType("application/json; charset=UTF-8").result(body.toString());
  }

  private static void invalidEnum(Context ctx, String field, String type, String value) {
    error(ctx, 400, "INVALID_ARGUMENT", "Invalid value at '" + field + "' (type.googleapis.com/google.apps.sheets.v4." + type + "), \"" + value + "\"");
  }

  private static boolean sameCells(A1Range a, A1Range b) {
    return a.firstCol() == b.firstCol() && a.firstRow() == b.firstRow() && a.lastCol() == b.lastCol() && a.lastRow() == b.lastRow();
  }

  /** A JSON cell as stored: an empty string is an empty cell; RAW keeps other strings as text; USER_ENTERED reads numbers and TRUE/FALSE, and a leading ' forces text. */
  static Object cell(JsonNode c, boolean userEntered) {
    if (c == null || c.isNull()) return null;
    if (c.isBoolean()) return c.booleanValue();
    if (c.isIntegralNumber() && c.canConvertToLong()) return c.longValue();
    if (c.isNumber()) return c.doubleValue();
    String s = c.asText();
    if (s.isEmpty()) return null; // "" leaves the cell empty, as Google's
    if (!userEntered) return s;
    if (s.startsWith("'")) return s.substring(1);
    String t = s.strip();
    if (INTEGER.matcher(t).matches()) return Long.parseLong(t.startsWith("+") ? t.substring(1) : t);
    if (DECIMAL.matcher(t).matches()) return Double.parseDouble(t);
    if (t.equalsIgnoreCase("TRUE") || t.equalsIgnoreCase("FALSE")) return Boolean.parseBoolean(t);
    return s;
  }

  /** Cells as {@code values.get} renders them: FORMATTED_VALUE as text, the others typed. */
  static ArrayNode render(List<List<Object>> rows, String option) {
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    boolean text = option.equals("FORMATTED_VALUE");
    for (List<Object> row : rows) {
      ArrayNode r = out.addArray();
      for (Object v : row) {
        if (v == null) r.add("");
        else if (v instanceof Boolean b) {
          if (text) r.add(b ? "TRUE" : "FALSE");
          else r.add(b);
        } else if (v instanceof Long l) {
          if (text) r.add(Long.toString(l));
          else r.add(l);
        } else if (v instanceof Double d) {
          if (text) r.add(d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString(d.longValue()) : Double.toString(d));
          else r.add(d);
        } else r.add(v.toString());
      }
    }
    return out;
  }

  private static List<List<Object>> transpose(List<List<Object>> in) {
    int width = in.stream().mapToInt(List::size).max().orElse(0);
    List<List<Object>> out = new ArrayList<>();
    for (int c = 0; c < width; c++) {
      List<Object> col = new ArrayList<>();
      for (List<Object> row : in) col.add(c < row.size() ? row.get(c) : null);
      int n = col.size();
      while (n > 0 && col.get(n - 1) == null) n--;
      out.add(new ArrayList<>(col.subList(0, n)));
    }
    return out;
  }

  private static String firstLine(String s) {
    if (s == null) return "";
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private synchronized String newId() {
    StringBuilder b = new StringBuilder("1");
    while (b.length() < 44) b.append(ID_CHARS.charAt(ids.nextInt(ID_CHARS.length())));
    return b.toString();
  }

  /** Deterministic spreadsheets of placements: a header row, then {@code rows} rows. */
  private void generate(long seed, int count, int rows) {
    Random r = new Random(seed);
    String[] names = {"Ada Lovelace", "Émile Zola", "Zoë Ångström", "李雷", "Grace Hopper", "O'Brien, Pat", ""};
    String[] stages = {"interview", "offer", "placement"};
    for (int i = 0; i < count; i++) {
      String id = createSpreadsheet(null, "Generated placements " + (i + 1), List.of("Sheet1"));
      List<List<Object>> data = new ArrayList<>();
      data.add(List.of("date", "candidate", "stage", "amount"));
      for (int j = 0; j < rows; j++) {
        List<Object> row = new ArrayList<>();
        row.add(java.time.LocalDate.of(2026, 1, 1).plusDays(r.nextInt(365)).toString());
        row.add(names[r.nextInt(names.length)]);
        row.add(stages[r.nextInt(stages.length)]);
        row.add(r.nextInt(5) == 0 ? null : (long) (1000 + r.nextInt(9000)));
        data.add(row);
      }
      addRows(id, "Sheet1", data);
    }
  }
}
