package dev.sluice.sandbox.sheets;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A range in A1 notation as the Sheets API reads it: {@code Sheet1!A1:B2}, {@code 'My Sheet'!A:C},
 * {@code Sheet1!2:5}, {@code Sheet1!A5:C} (open below), {@code Sheet1!B3} (one cell), {@code A1:B2}
 * (the first sheet) or {@code Sheet1} (the whole sheet). Letters may be lower case. Bounds are
 * 0-based and inclusive; a null bound is open (the sheet's edge).
 *
 * @param sheet the sheet's name, or null for the first sheet
 */
public record A1Range(String sheet, Integer startCol, Integer startRow, Integer endCol, Integer endRow) {
  /** Google's widest grid: column ZZZ. */
  static final int MAX_COLUMNS = 18_278;
  /** Google's cap of cells per spreadsheet bounds the rows too. */
  static final int MAX_ROWS = 10_000_000;

  private static final Pattern CELLS = Pattern.compile("([A-Za-z]{0,3})(\\d{0,8})(?::([A-Za-z]{0,3})(\\d{0,8}))?");
  private static final Pattern PLAIN_SHEET_NAME = Pattern.compile("[A-Za-z0-9_]+");

  /**
   * Parses {@code text}; a text without {@code !} that is not a cell range names a sheet.
   *
   * @return empty when it is not A1 notation (Google: 400 "Unable to parse range")
   */
  public static Optional<A1Range> parse(String text) {
    if (text == null || text.isBlank()) return Optional.empty();
    String t = text.strip();
    String sheet = null;
    String cells;
    if (t.startsWith("'")) {
      StringBuilder name = new StringBuilder();
      int i = 1;
      for (; i < t.length(); i++) {
        char c = t.charAt(i);
        if (c == '\'') {
          if (i + 1 < t.length() && t.charAt(i + 1) == '\'') {
            name.append('\'');
            i++;
            continue;
          }
          break;
        }
        name.append(c);
      }
      if (i >= t.length() || name.isEmpty()) return Optional.empty();
      sheet = name.toString();
      String rest = t.substring(i + 1);
      if (rest.isEmpty()) return Optional.of(new A1Range(sheet, null, null, null, null));
      if (!rest.startsWith("!")) return Optional.empty();
      cells = rest.substring(1);
    } else {
      int bang = t.lastIndexOf('!');
      if (bang < 0) {
        Optional<A1Range> asCells = cells(null, t);
        return asCells.isPresent() ? asCells : Optional.of(new A1Range(t, null, null, null, null));
      }
      sheet = t.substring(0, bang);
      if (sheet.isEmpty()) return Optional.empty();
      cells = t.substring(bang + 1);
    }
    return cells(sheet, cells);
  }

  private static Optional<A1Range> cells(String sheet, String cells) {
    Matcher m = CELLS.matcher(cells);
    if (!m.matches()) return Optional.empty();
    Integer c1 = column(m.group(1));
    Integer r1 = row(m.group(2));
    if (c1 == null && r1 == null) return Optional.empty();
    if (m.group(3) == null) { // one cell: both parts
      if (c1 == null || r1 == null) return Optional.empty();
      return bounded(sheet, c1, r1, c1, r1);
    }
    Integer c2 = column(m.group(3));
    Integer r2 = row(m.group(4));
    if (c2 == null && r2 == null) return Optional.empty();
    // A:B and 1:2 are whole columns and rows; A1:B is open below; a row-only side needs a row-only other side.
    if ((c1 == null) != (c2 == null) && (r1 == null || r2 == null)) return Optional.empty();
    if (c1 != null && c2 != null && c2 < c1) { Integer x = c1; c1 = c2; c2 = x; }
    if (r1 != null && r2 != null && r2 < r1) { Integer x = r1; r1 = r2; r2 = x; }
    return bounded(sheet, c1, r1, c2, r2);
  }

  private static Optional<A1Range> bounded(String sheet, Integer c1, Integer r1, Integer c2, Integer r2) {
    for (Integer c : new Integer[] {c1, c2}) if (c != null && c >= MAX_COLUMNS) return Optional.empty();
    for (Integer r : new Integer[] {r1, r2}) if (r != null && (r < 0 || r >= MAX_ROWS)) return Optional.empty();
    return Optional.of(new A1Range(sheet, c1, r1, c2, r2));
  }

  private static Integer column(String letters) {
    if (letters == null || letters.isEmpty()) return null;
    int n = 0;
    for (char c : letters.toUpperCase(Locale.ROOT).toCharArray()) n = n * 26 + (c - 'A' + 1);
    return n - 1;
  }

  private static Integer row(String digits) {
    if (digits == null || digits.isEmpty()) return null;
    return Integer.parseInt(digits) - 1;
  }

  /** The letters of a 0-based column: 0 → A, 25 → Z, 26 → AA. */
  public static String columnLetters(int col) {
    StringBuilder b = new StringBuilder();
    for (int n = col + 1; n > 0; n = (n - 1) / 26) b.insert(0, (char) ('A' + (n - 1) % 26));
    return b.toString();
  }

  /** A sheet name as Google writes it in a range: quoted when it holds anything but letters, digits and _. */
  public static String quoteSheet(String name) {
    return PLAIN_SHEET_NAME.matcher(name).matches() ? name : "'" + name.replace("'", "''") + "'";
  }

  /** {@code Sheet!A1:C3} for a box of cells (0-based, inclusive). */
  static String box(String sheet, int col1, int row1, int col2, int row2) {
    String a = columnLetters(col1) + (row1 + 1);
    String b = columnLetters(col2) + (row2 + 1);
    return quoteSheet(sheet) + "!" + (a.equals(b) ? a : a + ":" + b);
  }

  /** This range on {@code sheetName} in Google's form, with open bounds closed at the grid's edge ({@code rows} × {@code cols}). */
  String format(String sheetName, int rows, int cols) {
    int c1 = startCol == null ? 0 : startCol;
    int r1 = startRow == null ? 0 : startRow;
    int c2 = endCol == null ? cols - 1 : endCol;
    int r2 = endRow == null ? rows - 1 : endRow;
    return box(sheetName, c1, r1, Math.max(c1, c2), Math.max(r1, r2));
  }

  int firstCol() {
    return startCol == null ? 0 : startCol;
  }

  int firstRow() {
    return startRow == null ? 0 : startRow;
  }

  int lastCol() {
    return endCol == null ? Integer.MAX_VALUE : endCol;
  }

  int lastRow() {
    return endRow == null ? Integer.MAX_VALUE : endRow;
  }
}
