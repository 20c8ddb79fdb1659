package dev.sluice.sandbox.sheets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Sheets sandbox's admin API under {@code /_admin/sheets/}: make spreadsheets, read a sheet's
 * rows as stored, add rows without the API, stats. Never faulted, journaled or counted in quotas.
 */
final class SheetsAdminRoutes {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final SheetsSandbox sandbox;

  SheetsAdminRoutes(SheetsSandbox sandbox) {
    this.sandbox = sandbox;
  }

  void register(JavalinDefaultRoutingApi app) {
    app.get("/_admin/sheets/spreadsheets", ctx -> ctx.json(Map.of("spreadsheets", sandbox.spreadsheetIds().stream().map(this::describe).toList())));
    app.post("/_admin/sheets/spreadsheets", this::create);
    app.get("/_admin/sheets/spreadsheets/{id}", ctx -> {
      if (sandbox.spreadsheet(ctx.pathParam("id")).isEmpty()) notFound(ctx, "no spreadsheet " + ctx.pathParam("id"));
      else ctx.json(describe(ctx.pathParam("id")));
    });
    app.get("/_admin/sheets/spreadsheets/{id}/sheets/{sheet}/rows", this::rows);
    app.post("/_admin/sheets/spreadsheets/{id}/sheets/{sheet}/rows", this::addRows);
    app.get("/_admin/sheets/stats", ctx -> ctx.json(Map.of("appends", sandbox.appendCount(), "reads", sandbox.readCount(),
        "rate_limited", sandbox.rateLimitedCount())));
  }

  private Map<String, Object> describe(String id) {
    Spreadsheet s = sandbox.spreadsheet(id).orElseThrow();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("spreadsheetId", s.id());
    m.put("title", s.title());
    List<Map<String, Object>> sheets = new ArrayList<>();
    for (String name : s.sheetNames()) sheets.add(Map.of("title", name, "rows", s.rows(name).size()));
    m.put("sheets", sheets);
    return m;
  }

  /** {@code {"title", "sheets": ["Sheet1", …], "spreadsheetId"?}} → 201 with the spreadsheet. */
  private void create(Context ctx) {
    JsonNode b = body(ctx);
    if (b == null) return;
    List<String> sheets = new ArrayList<>();
    b.path("sheets").forEach(n -> sheets.add(n.asText()));
    try {
      String id = sandbox.createSpreadsheet(b.hasNonNull("spreadsheetId") ? b.get("spreadsheetId").asText() : null,
          b.path("title").asText("Untitled spreadsheet"), sheets);
      ctx.status(201).json(describe(id));
    } catch (IllegalArgumentException e) {
      ctx.status(400).json(Map.of("status", "error", "message", e.getMessage()));
    }
  }

  /** Every row of the sheet as stored: {@code {"rows": [[…], …]}} (numbers and booleans typed, empty cells null). */
  private void rows(Context ctx) {
    try {
      ctx.json(Map.of("rows", sandbox.rows(ctx.pathParam("id"), ctx.pathParam("sheet"))));
    } catch (IllegalArgumentException e) {
      notFound(ctx, e.getMessage());
    }
  }

  /** {@code {"rows": [[…], …]}} added after the sheet's last row. */
  private void addRows(Context ctx) {
    JsonNode b = body(ctx);
    if (b == null) return;
    List<List<Object>> rows = new ArrayList<>();
    for (JsonNode r : b.path("rows")) {
      List<Object> cells = new ArrayList<>();
      r.forEach(c -> cells.add(SheetsSandbox.cell(c, false)));
      rows.add(cells);
    }
    try {
      sandbox.addRows(ctx.pathParam("id"), ctx.pathParam("sheet"), rows);
      ctx.status(201).json(Map.of("added", rows.size()));
    } catch (IllegalArgumentException e) {
      notFound(ctx, e.getMessage());
    }
  }

  private static void notFound(Context ctx, String message) {
    ctx.status(404).json(Map.of("status", "error", "message", message));
  }

  private static JsonNode body(Context ctx) {
    try {
      JsonNode n = JSON.readTree(ctx.body().isBlank() ? "{}" : ctx.body());
      if (n == null || !n.isObject()) throw new IllegalArgumentException("not a JSON object");
      return n;
    } catch (Exception e) {
      ctx.status(400).json(Map.of("status", "error", "message", "request body must be a JSON object: " + e.getMessage()));
      return null;
    }
  }
}
