package dev.sluice.server.cli;

import dev.sluice.sync.StreamCounts;
import dev.sluice.sync.SyncRun;
import dev.sluice.sync.SyncStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Draws a run's progress on stderr: redrawn in place ({@code \r}) on a terminal, one line every few
 * seconds otherwise (logs, CI), so piped output stays readable.
 */
final class RunProgress {
  private static final int BAR_WIDTH = 24;
  /** How often a non-terminal gets a new line. */
  private static final Duration PLAIN_INTERVAL = Duration.ofSeconds(5);

  private final PrintStream out;
  private final boolean terminal;
  private long lastPlainNanos;
  private int lastWidth;

  RunProgress(PrintStream out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  /** Progress on stderr, redrawn in place when a console is attached. */
  static RunProgress onStderr() {
    return new RunProgress(System.err, System.console() != null);
  }

  /**
   * Shows {@code run}. {@code expected} gives record totals per object when the caller knows them
   * (the demo knows what it seeded); otherwise each stream's own estimate is used. {@code note} is
   * appended (e.g. the 429s seen).
   */
  void show(SyncRun run, Map<String, Long> expected, String note) {
    show(line(run, expected, note), !run.status().active());
  }

  /** Shows one progress line; {@code last} forces it out on a non-terminal. */
  void show(String line, boolean last) {
    if (terminal) {
      String pad = line.length() < lastWidth ? " ".repeat(lastWidth - line.length()) : "";
      out.print("\r" + line + pad);
      out.flush();
      lastWidth = line.length();
    } else if (System.nanoTime() - lastPlainNanos >= PLAIN_INTERVAL.toNanos() || last) {
      out.println(line);
      lastPlainNanos = System.nanoTime();
    }
  }

  /** Ends the in-place line so that what follows starts on a fresh one. */
  void finish() {
    if (terminal && lastWidth > 0) out.println();
    lastWidth = 0;
  }

  static String line(SyncRun run, Map<String, Long> expected, String note) {
    StringBuilder sb = new StringBuilder();
    long done = 0;
    long total = 0;
    boolean totalsKnown = true;
    StringBuilder objects = new StringBuilder();
    for (SyncStream s : run.streams()) {
      StreamCounts c = s.counts();
      Long exp = expected.getOrDefault(s.objectType(), s.estimatedTotal() == null || s.estimatedTotal() == 0 ? null : s.estimatedTotal());
      objects.append("  ").append(s.objectType()).append(' ').append(count(c.fetched()));
      if (exp != null) {
        objects.append('/').append(count(exp));
        done += Math.min(c.fetched(), exp);
        total += exp;
      } else {
        totalsKnown = false;
      }
      if (s.status().terminal()) objects.append(s.status().name().equals("COMPLETED") ? " ✓" : " " + s.status().wire());
    }
    sb.append("run ").append(run.id()).append(' ').append(run.status().wire());
    if (totalsKnown && total > 0) {
      double f = run.status().name().equals("COMPLETED") ? 1.0 : Math.min(1.0, (double) done / total);
      int filled = (int) Math.round(f * BAR_WIDTH);
      sb.append(" [").append("#".repeat(filled)).append(".".repeat(BAR_WIDTH - filled)).append("] ")
          .append(String.format(Locale.ROOT, "%3d%%", (int) Math.floor(f * 100)));
    }
    sb.append(objects);
    sb.append("  | ").append(count(run.requests())).append(" requests");
    if (note != null && !note.isEmpty()) sb.append(", ").append(note);
    if (run.eta() != null && run.status().active()) sb.append(", eta ").append(duration(run.eta()));
    return sb.toString();
  }

  /** {@code [#####.....]  42%} for {@code done} of {@code total}. */
  static String bar(long done, long total) {
    double f = total <= 0 ? 1.0 : Math.min(1.0, (double) done / total);
    int filled = (int) Math.round(f * BAR_WIDTH);
    return "[" + "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled) + "] " + String.format(Locale.ROOT, "%3d%%", (int) Math.floor(f * 100));
  }

  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  static String duration(Duration d) {
    long s = Math.max(0, d.toSeconds());
    return s >= 60 ? (s / 60) + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s" : s + "s";
  }
}
