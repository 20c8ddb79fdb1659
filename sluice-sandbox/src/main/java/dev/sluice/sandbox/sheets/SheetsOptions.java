package dev.sluice.sandbox.sheets;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of the Google Sheets sandbox; immutable, built with {@link #builder()}.
 *
 * @param tokens the OAuth access tokens accepted, one per user ({@code Authorization: Bearer …}); the
 *     first is the default user's
 * @param projectNumber the Cloud project every token belongs to (it names the quota's consumer)
 * @param writesPerMinutePerUser Google's "write requests per minute per user per project" (60)
 * @param writesPerMinutePerProject Google's "write requests per minute per project" (300)
 * @param readsPerMinutePerUser Google's "read requests per minute per user per project" (60)
 * @param readsPerMinutePerProject Google's "read requests per minute per project" (300)
 * @param spreadsheets spreadsheets present at start (besides the generated ones)
 * @param seed the generator's seed
 * @param generatedSpreadsheets how many generated spreadsheets to add (each one sheet {@code Sheet1}
 *     with a header row and {@code generatedRows} rows of placements)
 * @param generatedRows rows per generated spreadsheet
 * @param clock the quota windows' clock; null (the default) reads the shared sandbox clock
 */
public record SheetsOptions(List<String> tokens, long projectNumber, int writesPerMinutePerUser, int writesPerMinutePerProject,
                            int readsPerMinutePerUser, int readsPerMinutePerProject, List<Initial> spreadsheets, long seed,
                            int generatedSpreadsheets, int generatedRows, Clock clock) {

  public static final String DEFAULT_TOKEN = "ya29.sandbox-sheets-access-token";
  /** The spreadsheet every default sandbox has: {@code Placements} with sheets {@code Sheet1} and {@code Archive}. */
  public static final String DEFAULT_SPREADSHEET_ID = "1SbxPlacementsSheet0000000000000000000000000";

  /** A spreadsheet present at start: its id (44 characters like Google's, or any 10–100 of {@code [A-Za-z0-9_-]}), title and sheets. */
  public record Initial(String id, String title, List<String> sheets) {
    public Initial {
      Objects.requireNonNull(id, "id");
      if (!id.matches("[A-Za-z0-9_-]{10,100}")) throw new IllegalArgumentException("a spreadsheet id is 10-100 of A-Z a-z 0-9 _ -, got '" + id + "'");
      sheets = List.copyOf(sheets);
    }
  }

  public SheetsOptions {
    tokens = List.copyOf(new LinkedHashSet<>(tokens));
    if (tokens.isEmpty()) throw new IllegalArgumentException("at least one token");
    for (int n : new int[] {writesPerMinutePerUser, writesPerMinutePerProject, readsPerMinutePerUser, readsPerMinutePerProject}) {
      if (n < 1) throw new IllegalArgumentException("per-minute quotas must be at least 1");
    }
    spreadsheets = List.copyOf(spreadsheets);
    if (generatedSpreadsheets < 0 || generatedSpreadsheets > 1000) throw new IllegalArgumentException("generatedSpreadsheets must be 0..1000");
    if (generatedRows < 0 || generatedRows > 100_000) throw new IllegalArgumentException("generatedRows must be 0..100000");
  }

  /** The first token (the default user's). */
  public String token() {
    return tokens.get(0);
  }

  public static SheetsOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public static final class Builder {
    private String token = DEFAULT_TOKEN;
    private final Set<String> users = new LinkedHashSet<>();
    private long projectNumber = 269908437164L;
    private int writesPerUser = 60;
    private int writesPerProject = 300;
    private int readsPerUser = 60;
    private int readsPerProject = 300;
    private final List<Initial> spreadsheets = new ArrayList<>();
    private boolean defaultSpreadsheet = true;
    private long seed;
    private int generated;
    private int generatedRows = 20;
    private Clock clock;

    /** The default user's token (replaces {@link #DEFAULT_TOKEN}). */
    public Builder token(String v) { token = Objects.requireNonNull(v); return this; }
    /** Another user of the same project (its own per-user quota, the shared per-project one). */
    public Builder user(String v) { users.add(Objects.requireNonNull(v)); return this; }
    public Builder projectNumber(long v) { projectNumber = v; return this; }
    public Builder writesPerMinute(int perUser, int perProject) { writesPerUser = perUser; writesPerProject = perProject; return this; }
    public Builder readsPerMinute(int perUser, int perProject) { readsPerUser = perUser; readsPerProject = perProject; return this; }
    /** Adds a spreadsheet; the first call drops the default {@code Placements} one. */
    public Builder spreadsheet(String id, String title, String... sheets) {
      defaultSpreadsheet = false;
      spreadsheets.add(new Initial(id, title, List.of(sheets)));
      return this;
    }
    /** Adds {@code count} generated spreadsheets of {@code rows} rows each, from {@code seed}. */
    public Builder generate(long seed, int count, int rows) { this.seed = seed; generated = count; generatedRows = rows; return this; }
    public Builder clock(Clock v) { clock = v; return this; }

    public SheetsOptions build() {
      List<String> t = new ArrayList<>();
      t.add(token);
      t.addAll(users);
      List<Initial> s = new ArrayList<>(spreadsheets);
      if (defaultSpreadsheet) s.add(0, new Initial(DEFAULT_SPREADSHEET_ID, "Placements", List.of("Sheet1", "Archive")));
      return new SheetsOptions(t, projectNumber, writesPerUser, writesPerProject, readsPerUser, readsPerProject, s, seed, generated,
          generatedRows, clock);
    }
  }
}
