package dev.sluice.queue.cron;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * A parsed Unix cron expression (5 fields: minute hour day-of-month month day-of-week) in a time
 * zone, answering which ticks fall in an interval. Immutable, thread-safe.
 */
final class CronExpression {
  private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  private final String text;
  private final ZoneId zone;
  private final ExecutionTime executionTime;

  private CronExpression(String text, ZoneId zone, ExecutionTime executionTime) {
    this.text = text;
    this.zone = zone;
    this.executionTime = executionTime;
  }

  /**
   * @throws IllegalArgumentException with the reason when {@code text} is not a 5-field Unix cron
   *     expression
   */
  static CronExpression parse(String text, ZoneId zone) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("cron expression must not be blank; expected 5 fields "
          + "(minute hour day-of-month month day-of-week), e.g. '*/15 * * * *'");
    }
    String trimmed = text.trim();
    try {
      Cron cron = UNIX.parse(trimmed);
      cron.validate();
      return new CronExpression(trimmed, zone, ExecutionTime.forCron(cron));
    } catch (IllegalArgumentException | DateTimeException e) {
      throw new IllegalArgumentException("invalid cron expression '" + trimmed + "': " + e.getMessage()
          + "; expected 5 fields (minute hour day-of-month month day-of-week), e.g. '*/15 * * * *'", e);
    }
  }

  String text() {
    return text;
  }

  ZoneId zone() {
    return zone;
  }

  /** The first tick strictly after {@code after}; empty when the expression never fires again. */
  Optional<Instant> next(Instant after) {
    return executionTime.nextExecution(after.atZone(zone)).map(ZonedDateTime::toInstant);
  }

  /**
   * The latest tick in {@code (after, now]}, or empty when none falls there. Older ticks in that
   * interval are deliberately skipped: after a downtime a schedule fires once, not once per missed
   * tick.
   */
  Optional<Instant> latestDue(Instant after, Instant now) {
    Optional<Instant> first = next(after);
    if (first.isEmpty() || first.get().isAfter(now)) return Optional.empty();
    Instant due = first.get();
    Optional<ZonedDateTime> last = executionTime.lastExecution(now.atZone(zone));
    if (last.isPresent() && last.get().toInstant().isAfter(due) && !last.get().toInstant().isAfter(now)) {
      due = last.get().toInstant();
    }
    // lastExecution may stop short of a tick exactly at now; step forward while still due
    for (Optional<Instant> n = next(due); n.isPresent() && !n.get().isAfter(now); n = next(due)) {
      due = n.get();
    }
    return Optional.of(due);
  }
}
