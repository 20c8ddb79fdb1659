package dev.sluice.sandbox.sheets;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One spreadsheet of the sandbox: named sheets, each a grid of cells (a cell is a {@code String}, a
 * {@code Long}/{@code Double}, a {@code Boolean} or null for empty). A new sheet's grid is 1,000 rows
 * by 26 columns, as Google's; an append beyond it grows it. Every method holds the spreadsheet's
 * lock, so an append is atomic as Google's are.
 */
public final class Spreadsheet {
  static final int DEFAULT_ROWS = 1000;
  static final int DEFAULT_COLUMNS = 26;

  private final String id;
  private final String title;
  private final Map<String, Sheet> sheets = new LinkedHashMap<>();

  private static final class Sheet {
    final String name;
    final List<List<Object>> rows = new ArrayList<>();
    int gridRows = DEFAULT_ROWS;
    int gridCols = DEFAULT_COLUMNS;

    Sheet(String name) {
      this.name = name;
    }

    Object cell(int row, int col) {
      if (row >= rows.size()) return null;
      List<Object> r = rows.get(row);
      return col < r.size() ? r.get(col) : null;
    }

    void set(int row, int col, Object value) {
      while (rows.size() <= row) rows.add(new ArrayList<>());
      List<Object> r = rows.get(row);
      while (r.size() <= col) r.add(null);
      r.set(col, value);
      gridRows = Math.max(gridRows, row + 1);
      gridCols = Math.max(gridCols, col + 1);
    }
  }

  /** What an append did: the table it found (null when none), the cells it wrote. */
  record Appended(String tableRange, String updatedRange, int rows, int columns, int cells, List<List<Object>> values) {}

  Spreadsheet(String id, String title, List<String> sheetNames) {
    if (sheetNames.isEmpty()) throw new IllegalArgumentException("a spreadsheet needs at least one sheet");
    this.id = id;
    this.title = title;
    for (String n : sheetNames) {
      if (n == null || n.isBlank() || n.length() > 100) throw new IllegalArgumentException("a sheet name is 1 to 100 characters, got '" + n + "'");
      if (sheets.putIfAbsent(n, new Sheet(n)) != null) throw new IllegalArgumentException("sheet '" + n + "' is named twice");
    }
  }

  public String id() {
    return id;
  }

  public String title() {
    return title;
  }

  public synchronized List<String> sheetNames() {
    return List.copyOf(sheets.keySet());
  }

  /** The sheet a range names (its first sheet when the range names none), or empty. */
  synchronized Optional<String> sheetOf(A1Range range) {
    if (range.sheet() == null) return Optional.of(sheets.keySet().iterator().next());
    return sheets.containsKey(range.sheet()) ? Optional.of(range.sheet()) : Optional.empty();
  }

  /** Every row of a sheet as stored, trailing empty cells dropped (empty rows stay empty lists). */
  public synchronized List<List<Object>> rows(String sheet) {
    Sheet s = sheet(sheet);
    List<List<Object>> out = new ArrayList<>();
    for (List<Object> r : s.rows) out.add(Collections.unmodifiableList(new ArrayList<>(trim(r))));
    while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) out.remove(out.size() - 1);
    return List.copyOf(out);
  }

  /** Appends rows to a sheet directly (the admin API and generator; nothing is checked or counted). */
  synchronized void addRows(String sheet, List<List<Object>> rows) {
    Sheet s = sheet(sheet);
    int at = s.rows.size();
    while (at > 0 && trim(s.rows.get(at - 1)).isEmpty()) at--;
    for (int i = 0; i < rows.size(); i++) {
      for (int c = 0; c < rows.get(i).size(); c++) s.set(at + i, c, rows.get(i).get(c));
    }
  }

  /** The grid's size of a sheet: {rows, columns}. */
  synchronized int[] grid(String sheet) {
    Sheet s = sheet(sheet);
    return new int[] {s.gridRows, s.gridCols};
  }

  /**
   * {@code values.append}: finds the table in {@code range} (the rows from the first to the last row
   * holding a value in the range's columns) and writes {@code values} after its last row, from the
   * range's first column; {@code insertRows} shifts the rows below down first (INSERT_ROWS), else the
   * cells are overwritten (OVERWRITE).
   */
  synchronized Appended append(String sheet, A1Range range, List<List<Object>> values, boolean insertRows) {
    Sheet s = sheet(sheet);
    int c1 = range.firstCol();
    // One cell (Sheet1!A1) starts the search there and finds the whole table to its right; the
    // table goes on below a range's last row, as Google's does.
    boolean oneCell = range.startRow() != null && range.startCol() != null && range.startCol().equals(range.endCol())
        && range.startRow().equals(range.endRow());
    int c2 = oneCell ? Integer.MAX_VALUE : range.lastCol();
    int first = -1;
    int last = -1;
    int widest = c1;
    for (int r = range.firstRow(); r < s.rows.size(); r++) {
      List<Object> row = s.rows.get(r);
      for (int c = c1; c < row.size() && c <= c2; c++) {
        if (row.get(c) != null && !"".equals(row.get(c))) {
          if (first < 0) first = r;
          last = r;
          widest = Math.max(widest, c);
        }
      }
    }
    String table = first < 0 ? null : A1Range.box(s.name, c1, first, widest, last);
    int at = first < 0 ? range.firstRow() : last + 1;
    int width = values.stream().mapToInt(List::size).max().orElse(0);
    if (values.isEmpty() || width == 0) return new Appended(table, null, 0, 0, 0, List.of());
    if (insertRows) {
      while (s.rows.size() < at) s.rows.add(new ArrayList<>());
      for (int i = 0; i < values.size(); i++) s.rows.add(at, new ArrayList<>());
      s.gridRows += values.size();
    }
    int cells = 0;
    for (int i = 0; i < values.size(); i++) {
      List<Object> row = values.get(i);
      for (int c = 0; c < width; c++) {
        Object v = c < row.size() ? row.get(c) : null;
        if (c < row.size()) cells++;
        if (c < row.size() || !insertRows) s.set(at + i, c1 + c, v);
      }
    }
    return new Appended(table, A1Range.box(s.name, c1, at, c1 + width - 1, at + values.size() - 1), values.size(), width, cells, values);
  }

  /** The cells of {@code range} row by row, trailing empty rows and cells dropped (as {@code values.get} answers). */
  synchronized List<List<Object>> read(String sheet, A1Range range) {
    Sheet s = sheet(sheet);
    List<List<Object>> out = new ArrayList<>();
    int lastRow = Math.min(range.lastRow(), s.rows.size() - 1);
    for (int r = range.firstRow(); r <= lastRow; r++) {
      List<Object> row = s.rows.get(r);
      List<Object> cells = new ArrayList<>();
      for (int c = range.firstCol(); c < row.size() && c <= range.lastCol(); c++) cells.add(row.get(c));
      out.add(trim(cells));
    }
    while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) out.remove(out.size() - 1);
    return out;
  }

  private Sheet sheet(String name) {
    Sheet s = sheets.get(name);
    if (s == null) throw new IllegalArgumentException("spreadsheet " + id + " has no sheet '" + name + "' (sheets: " + sheets.keySet() + ")");
    return s;
  }

  private static List<Object> trim(List<Object> row) {
    int n = row.size();
    while (n > 0 && (row.get(n - 1) == null || "".equals(row.get(n - 1)))) n--;
    return row.subList(0, n);
  }
}
