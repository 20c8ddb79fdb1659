package dev.sluice.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectionLimits;
import dev.sluice.connectors.ConnectorFactory;
import dev.sluice.connectors.RateLimitGate;
import dev.sluice.connectors.RateLimitRegistry;
import dev.sluice.queue.JobContext;
import dev.sluice.queue.JobSnooze;
import dev.sluice.queue.PermanentJobFailure;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code sheets.append}: one row per job through Google Sheets' {@code spreadsheets.values.append},
 * on a {@code platform: google_sheets} connection (its bearer token added at send time, its
 * per-minute read and write buckets shared by every process). Sheets has no idempotency key, so
 * the row carries the job's dedupe key in a key column, and an attempt after one that may have
 * appended (attempt &gt; 1: a lost response, a timeout, a 5xx, a killed worker) first reads that
 * column ({@code values.get}) and completes without appending when the key is there.
 */
final class SheetsAppendAction implements ActionHandler {
  static final String PLATFORM = "google_sheets";
  static final Set<String> VALUE_INPUTS = Set.of("RAW", "USER_ENTERED");
  static final Set<String> INSERTS = Set.of("INSERT_ROWS", "OVERWRITE");
  /** Google's guidance after a 429 without Retry-After: the per-minute quota refills within a minute. */
  static final Duration QUOTA_WINDOW = Duration.ofSeconds(60);
  /** How long one attempt waits for its permit before it snoozes (as the connectors do). */
  private static final Duration PERMIT_WAIT = Duration.ofSeconds(2);
  /** Rows of the key column one check reads at a time: 5,000 keys of 100 characters are about half a MiB. */
  static final int KEY_PAGE_ROWS = 5000;
  private static final Pattern CELLS = Pattern.compile("([A-Za-z]{0,3})(\\d{0,8})(?::([A-Za-z]{0,3})(\\d{0,8}))?");
  private static final Pattern COLUMN = Pattern.compile("[A-Za-z]{1,3}");
  private static final Pattern SPREADSHEET_ID = Pattern.compile("[A-Za-z0-9_-]{10,100}");

  /**
   * One Google Sheets connection: its config (base URL, token, limits) and the shared gate, made on
   * first use (a runtime defines its buckets only after migrating); a null gate: named for checks only.
   */
  record Connection(ConnectionConfig config, Supplier<RateLimitGate> gate, ConnectionLimits limits) {
    Connection(ConnectionConfig config, Supplier<RateLimitGate> gate) {
      this(config, gate == null ? null : memoize(gate), ConnectorFactory.limits(RateLimitRegistry.builtIn(), config));
    }
  }

  private static <T> Supplier<T> memoize(Supplier<T> s) {
    return new Supplier<>() {
      private volatile T made;

      @Override
      public synchronized T get() {
        if (made == null) made = s.get();
        return made;
      }
    };
  }

  private final Map<String, Connection> sheets;
  private final ActionHttp http;

  SheetsAppendAction(Map<String, Connection> sheets, ActionHttp http) {
    this.sheets = sheets;
    this.http = http;
  }

  @Override
  public String kind() {
    return ActionSignature.SHEETS_APPEND;
  }

  @Override
  public Set<String> connections() {
    return sheets.keySet();
  }

  @Override
  public String unknownConnection(String name) {
    return "no Google Sheets connection '" + name + "' (platform: google_sheets) under connections";
  }

  /** A range's sheet ({@code null}: the first) and first column (0-based), or empty when it is not A1 notation. */
  record Range(String sheet, int firstColumn) {
    /** The sheet part of a range as written, with its {@code !}: {@code 'My Sheet'!}, or empty for the first sheet. */
    String prefix() {
      if (sheet == null) return "";
      return (sheet.matches("[A-Za-z0-9_]+") ? sheet : "'" + sheet.replace("'", "''") + "'") + "!";
    }
  }

  static Optional<Range> range(String text) {
    if (text == null || text.isBlank()) return Optional.empty();
    String t = text.strip();
    String sheet;
    String cells;
    if (t.startsWith("'")) {
      int end = 1;
      StringBuilder name = new StringBuilder();
      for (; end < t.length(); end++) {
        char c = t.charAt(end);
        if (c == '\'') {
          if (end + 1 < t.length() && t.charAt(end + 1) == '\'') {
            name.append('\'');
            end++;
            continue;
          }
          break;
        }
        name.append(c);
      }
      if (end >= t.length() || name.isEmpty()) return Optional.empty();
      String rest = t.substring(end + 1);
      if (rest.isEmpty()) return Optional.of(new Range(name.toString(), 0));
      if (!rest.startsWith("!")) return Optional.empty();
      sheet = name.toString();
      cells = rest.substring(1);
    } else {
      int bang = t.lastIndexOf('!');
      if (bang < 0) {
        Optional<Integer> col = firstColumn(t);
        return Optional.of(col.map(c -> new Range(null, c)).orElse(new Range(t, 0)));
      }
      sheet = t.substring(0, bang);
      if (sheet.isEmpty()) return Optional.empty();
      cells = t.substring(bang + 1);
    }
    return firstColumn(cells).map(c -> new Range(sheet, c));
  }

  private static Optional<Integer> firstColumn(String cells) {
    Matcher m = CELLS.matcher(cells);
    if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) return Optional.empty();
    if (m.group(3) == null && (m.group(1).isEmpty() || m.group(2).isEmpty())) return Optional.empty();
    if (m.group(3) != null && m.group(3).isEmpty() && m.group(4).isEmpty()) return Optional.empty();
    String c1 = m.group(1);
    String c2 = m.group(3) == null ? "" : m.group(3);
    if (c1.isEmpty() && c2.isEmpty()) return Optional.of(0); // rows 2:5
    if (c1.isEmpty()) return Optional.empty();
    int a = column(c1);
    return Optional.of(c2.isEmpty() ? a : Math.min(a, column(c2)));
  }

  static int column(String letters) {
    int n = 0;
    for (char c : letters.toUpperCase(Locale.ROOT).toCharArray()) n = n * 26 + (c - 'A' + 1);
    return n - 1;
  }

  static String letters(int col) {
    StringBuilder b = new StringBuilder();
    for (int n = col + 1; n > 0; n = (n - 1) / 26) b.insert(0, (char) ('A' + (n - 1) % 26));
    return b.toString();
  }

  /**
   * What {@code ./sluice rules check} says about the arguments as written, config aside: values a
   * non-empty list of texts/numbers/booleans, the options' words, the key column's letters, and —
   * when the range is not a template — the range's A1 notation and a key column right of the values.
   */
  static List<String> argumentProblems(Map<String, Object> args) {
    List<String> out = new ArrayList<>();
    String k = ActionSignature.SHEETS_APPEND + ": ";
    Object values = args.get("values");
    int count = -1;
    if (values != null) {
      if (!(values instanceof List<?> list) || list.isEmpty()) {
        out.add(k + "values must be a non-empty list of cell templates, e.g. [\"{{record.dealname}}\", \"{{record.amount}}\"]");
      } else {
        count = list.size();
        for (int i = 0; i < list.size(); i++) {
          if (list.get(i) instanceof Map<?, ?> || list.get(i) instanceof List<?>) {
            out.add(k + "values[" + i + "] must be one cell (a text, number or boolean), not a " + (list.get(i) instanceof Map<?, ?> ? "mapping" : "list"));
          }
        }
        if (list.size() > 1000) out.add(k + "values has " + list.size() + " cells; a row of at most 1000 is accepted");
      }
    }
    word(args, "value_input", VALUE_INPUTS, out);
    word(args, "insert", INSERTS, out);
    String keyColumn = ActionHandler.plain(args.get("key_column"));
    if (keyColumn != null && (!COLUMN.matcher(keyColumn).matches() || column(keyColumn) >= 18_278)) {
      out.add(k + "key_column must be a column's letters (A to ZZZ), got '" + keyColumn + "'");
      keyColumn = null;
    }
    String spreadsheet = ActionHandler.plain(args.get("spreadsheet"));
    if (spreadsheet != null && !spreadsheet.contains("{{") && !SPREADSHEET_ID.matcher(spreadsheet).matches()) {
      out.add(k + "spreadsheet must be a spreadsheet id (the part of its URL after /d/), got '" + spreadsheet + "'");
    }
    String range = ActionHandler.plain(args.get("range"));
    if (range != null && !range.contains("{{")) {
      Optional<Range> r = range(range);
      if (r.isEmpty()) out.add(k + "range '" + range + "' is not A1 notation (e.g. Placements!A:E, 'My Sheet'!A1)");
      else if (keyColumn != null && count > 0) {
        String problem = keyColumnProblem(r.get(), count, keyColumn);
        if (problem != null) out.add(k + problem);
      }
    }
    return out;
  }

  private static void word(Map<String, Object> args, String name, Set<String> allowed, List<String> out) {
    String v = ActionHandler.plain(args.get(name));
    if (v != null && !allowed.contains(v)) {
      out.add(ActionSignature.SHEETS_APPEND + ": " + name + " must be " + String.join(" or ", new java.util.TreeSet<>(allowed)) + ", got '" + v + "'");
    }
  }

  private static String keyColumnProblem(Range r, int values, String keyColumn) {
    int key = column(keyColumn);
    int lastValue = r.firstColumn() + values - 1;
    if (key <= lastValue) {
      return "key_column " + keyColumn.toUpperCase(Locale.ROOT) + " would hold a value: the " + values + " values fill " + letters(r.firstColumn())
          + " to " + letters(lastValue) + "; name a column right of " + letters(lastValue) + " (or leave key_column out for " + letters(lastValue + 1) + ")";
    }
    return null;
  }

  @Override
  public void request(JsonNode args, String dedupeKey, ObjectNode payload, ObjectNode req) {
    String name = args.path("connection").asText();
    Connection c = sheets.get(name);
    if (c == null) throw new IllegalArgumentException("no Google Sheets connection '" + name + "' (configured: " + sheets.keySet() + ")");
    payload.put("connection", name);
    String spreadsheet = args.path("spreadsheet").asText().strip();
    if (!SPREADSHEET_ID.matcher(spreadsheet).matches()) throw new IllegalArgumentException("spreadsheet '" + spreadsheet + "' is not a spreadsheet id");
    String rangeText = args.path("range").asText().strip();
    Range range = range(rangeText).orElseThrow(() -> new IllegalArgumentException("range '" + rangeText + "' is not A1 notation"));
    JsonNode values = args.path("values");
    if (!values.isArray() || values.isEmpty()) throw new IllegalArgumentException("values must be a non-empty list");
    String input = args.path("value_input").asText("USER_ENTERED");
    String insert = args.path("insert").asText("INSERT_ROWS");
    int keyColumn = args.hasNonNull("key_column") ? column(args.path("key_column").asText()) : range.firstColumn() + values.size();
    String problem = keyColumnProblem(range, values.size(), letters(keyColumn));
    if (problem != null) throw new IllegalArgumentException(problem);
    String base = ActionHttp.stripSlash(c.config().baseUrl().toString()) + "/v4/spreadsheets/" + spreadsheet + "/values/";
    req.put("method", "POST");
    req.put("url", base + encode(rangeText) + ":append?valueInputOption=" + input + "&insertDataOption=" + insert);
    req.putObject("headers").put("Authorization", "Bearer <token of " + name + ">").put("Content-Type", "application/json");
    ObjectNode body = req.putObject("body");
    body.put("range", rangeText);
    body.put("majorDimension", "ROWS");
    ArrayNode row = body.putArray("values").addArray();
    values.forEach(v -> row.add(v.isValueNode() ? v : ActionHttp.JSON.getNodeFactory().textNode(v.toString())));
    for (int col = range.firstColumn() + values.size(); col < keyColumn; col++) row.add("");
    // USER_ENTERED would read a key such as 12 as a number or =x as a formula: a leading ' keeps it text (and is not stored).
    row.add(input.equals("USER_ENTERED") ? "'" + dedupeKey : dedupeKey);
    // Where a later attempt looks for the key before it appends again.
    payload.putObject("key_check").put("values_url", base).put("sheet", range.prefix()).put("column", letters(keyColumn)).put("key", dedupeKey);
  }

  private static String encode(String range) {
    return URLEncoder.encode(range, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Override
  public void send(JobContext ctx, JsonNode payload) throws Exception {
    Connection c = sheets.get(payload.path("connection").asText());
    if (c == null || c.gate() == null) {
      throw new PermanentJobFailure("no Google Sheets connection '" + payload.path("connection").asText() + "' in this process's config");
    }
    Map<String, String> auth = Map.of("Authorization", "Bearer " + c.config().token());
    if (ctx.job().attempt() > 1) {
      // An earlier attempt may have appended without an answer: the key column says.
      String found = findKey(ctx, c, auth, payload.path("key_check"));
      if (found != null) {
        ObjectNode p = ActionHttp.JSON.createObjectNode();
        p.putObject("result").put("found_by", "key_column").put("range", found);
        ctx.progress(p);
        return;
      }
    }
    permit(c, "write");
    JsonNode req = payload.path("request");
    HttpResponse<String> res = http.send(req, auth, null, ActionHttp.body(req));
    answered(ctx, c, res, "write", "values.append");
    JsonNode body = ActionHttp.parse(res.body());
    ObjectNode p = ActionHttp.response(res, body);
    p.putObject("result").put("updated_range", body.path("updates").path("updatedRange").asText(""));
    ctx.progress(p);
  }

  /**
   * Reads the key column {@value #KEY_PAGE_ROWS} rows at a time (one read permit each, every answer
   * well under {@link ActionHttp#READ_LIMIT}) until the key shows up (its page's range is answered),
   * a page holds no key at all, or a page starts beyond the grid (Google's 400). An answer that does
   * not parse (cut at the read limit) is an error to retry: the row is never appended without the
   * column having been read.
   */
  private String findKey(JobContext ctx, Connection c, Map<String, String> auth, JsonNode check) throws Exception {
    String key = check.path("key").asText();
    String column = check.path("column").asText();
    for (long start = 1; ; start += KEY_PAGE_ROWS) {
      String range = check.path("sheet").asText() + column + start + ":" + column + (start + KEY_PAGE_ROWS - 1);
      permit(c, "read");
      ObjectNode get = ActionHttp.JSON.createObjectNode().put("method", "GET").put("url", check.path("values_url").asText() + encode(range));
      HttpResponse<String> res = http.send(get, auth, null, null);
      if (start > 1 && res.statusCode() == 400) return null; // past the grid's last row
      answered(ctx, c, res, "read", "values.get " + range);
      JsonNode body;
      try {
        body = ActionHttp.JSON.readTree(res.body());
      } catch (java.io.IOException e) {
        throw new IllegalStateException("Google Sheets values.get " + range + ": an answer that is not JSON (" + e.getMessage() + "); not appending blind");
      }
      JsonNode values = body.path("values");
      if (values.isEmpty()) return null;
      if (containsKey(values, key)) return range;
    }
  }

  /** Takes one permit of the connection's {@code endpoint} buckets, or snoozes until one frees up. */
  private static void permit(Connection c, String endpoint) {
    Optional<Duration> wait = c.gate().get().acquire(c.limits().bucketsFor(c.config().name(), endpoint), 1, PERMIT_WAIT);
    if (wait.isPresent()) throw new JobSnooze(wait.get());
  }

  /**
   * Returns on a 2xx. A 429 waits for {@code Retry-After}, else for Google's quota minute (no attempt
   * spent); a 5xx retries; any other 4xx goes dead with Google's answer kept.
   */
  private void answered(JobContext ctx, Connection c, HttpResponse<String> res, String endpoint, String what) {
    int s = res.statusCode();
    if (s / 100 == 2) return;
    if (s == 429) {
      c.limits().bucketsFor(c.config().name(), endpoint).forEach(b -> c.gate().get().throttled(b));
      throw new JobSnooze(http.retryAfter(res).orElse(QUOTA_WINDOW));
    }
    http.retryOnThrottleOrServerError(res);
    JsonNode body = ActionHttp.parse(res.body());
    ctx.progress(ActionHttp.response(res, body));
    JsonNode error = body.path("error");
    throw new PermanentJobFailure("Google Sheets " + what + ": HTTP " + s
        + (error.isObject() ? " " + error.path("status").asText() + ": " + error.path("message").asText() : " " + ActionHttp.truncate(res.body())));
  }

  private static boolean containsKey(JsonNode values, String key) {
    for (JsonNode row : values) {
      for (JsonNode cell : row) {
        if (key.equals(cell.asText())) return true;
      }
    }
    return false;
  }
}
