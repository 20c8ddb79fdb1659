package dev.sluice.sandbox.salesforce;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A SOQL date literal ({@code TODAY}, {@code LAST_N_DAYS:30}, {@code THIS_MONTH} …) resolved against
 * "now" to the range of days {@code [start, end)} it stands for. The org's time zone is UTC and its
 * weeks start on Sunday (the en_US locale); fiscal-period literals are not served. Comparisons follow
 * Salesforce: {@code =} is inside the range, {@code <} before its start, {@code >} after its end,
 * {@code <=} before its end, {@code >=} from its start on.
 */
record SoqlDateLiteral(String text, LocalDate start, LocalDate end) {

  private static final Pattern WITH_N = Pattern.compile("([A-Z_]+):(\\d{1,4})");

  /** The literal named {@code word} (any case), or null when {@code word} is not a served date literal. */
  static SoqlDateLiteral resolve(String word, Instant now) {
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    String upper = word.toUpperCase(Locale.ROOT);
    LocalDate week = today.with(TemporalAdjusters.previousOrSame(DayOfWeek.SUNDAY));
    LocalDate month = today.withDayOfMonth(1);
    LocalDate quarter = month.withMonth(((today.getMonthValue() - 1) / 3) * 3 + 1);
    LocalDate year = today.withDayOfYear(1);
    Matcher m = WITH_N.matcher(upper);
    if (m.matches()) {
      int n = Integer.parseInt(m.group(2));
      return switch (m.group(1)) {
        // "Starts with the current day and continues for the past n days", today included.
        case "LAST_N_DAYS" -> new SoqlDateLiteral(word, today.minusDays(n), today.plusDays(1));
        case "NEXT_N_DAYS" -> new SoqlDateLiteral(word, today.plusDays(1), today.plusDays(1 + n));
        case "N_DAYS_AGO" -> new SoqlDateLiteral(word, today.minusDays(n), today.minusDays(n - 1L));
        case "N_DAYS_FROM_NOW" -> new SoqlDateLiteral(word, today.plusDays(n), today.plusDays(n + 1L));
        case "LAST_N_WEEKS" -> new SoqlDateLiteral(word, week.minusWeeks(n), week);
        case "NEXT_N_WEEKS" -> new SoqlDateLiteral(word, week.plusWeeks(1), week.plusWeeks(1 + n));
        case "N_WEEKS_AGO" -> new SoqlDateLiteral(word, week.minusWeeks(n), week.minusWeeks(n - 1L));
        case "LAST_N_MONTHS" -> new SoqlDateLiteral(word, month.minusMonths(n), month);
        case "NEXT_N_MONTHS" -> new SoqlDateLiteral(word, month.plusMonths(1), month.plusMonths(1 + n));
        case "N_MONTHS_AGO" -> new SoqlDateLiteral(word, month.minusMonths(n), month.minusMonths(n - 1L));
        case "LAST_N_QUARTERS" -> new SoqlDateLiteral(word, quarter.minusMonths(3L * n), quarter);
        case "NEXT_N_QUARTERS" -> new SoqlDateLiteral(word, quarter.plusMonths(3), quarter.plusMonths(3 + 3L * n));
        case "LAST_N_YEARS" -> new SoqlDateLiteral(word, year.minusYears(n), year);
        case "NEXT_N_YEARS" -> new SoqlDateLiteral(word, year.plusYears(1), year.plusYears(1 + n));
        case "N_YEARS_AGO" -> new SoqlDateLiteral(word, year.minusYears(n), year.minusYears(n - 1L));
        default -> null;
      };
    }
    return switch (upper) {
      case "YESTERDAY" -> new SoqlDateLiteral(word, today.minusDays(1), today);
      case "TODAY" -> new SoqlDateLiteral(word, today, today.plusDays(1));
      case "TOMORROW" -> new SoqlDateLiteral(word, today.plusDays(1), today.plusDays(2));
      case "LAST_WEEK" -> new SoqlDateLiteral(word, week.minusWeeks(1), week);
      case "THIS_WEEK" -> new SoqlDateLiteral(word, week, week.plusWeeks(1));
      case "NEXT_WEEK" -> new SoqlDateLiteral(word, week.plusWeeks(1), week.plusWeeks(2));
      case "LAST_MONTH" -> new SoqlDateLiteral(word, month.minusMonths(1), month);
      case "THIS_MONTH" -> new SoqlDateLiteral(word, month, month.plusMonths(1));
      case "NEXT_MONTH" -> new SoqlDateLiteral(word, month.plusMonths(1), month.plusMonths(2));
      case "LAST_90_DAYS" -> new SoqlDateLiteral(word, today.minusDays(90), today.plusDays(1));
      case "NEXT_90_DAYS" -> new SoqlDateLiteral(word, today.plusDays(1), today.plusDays(91));
      case "LAST_QUARTER" -> new SoqlDateLiteral(word, quarter.minusMonths(3), quarter);
      case "THIS_QUARTER" -> new SoqlDateLiteral(word, quarter, quarter.plusMonths(3));
      case "NEXT_QUARTER" -> new SoqlDateLiteral(word, quarter.plusMonths(3), quarter.plusMonths(6));
      case "LAST_YEAR" -> new SoqlDateLiteral(word, year.minusYears(1), year);
      case "THIS_YEAR" -> new SoqlDateLiteral(word, year, year.plusYears(1));
      case "NEXT_YEAR" -> new SoqlDateLiteral(word, year.plusYears(1), year.plusYears(2));
      default -> null;
    };
  }

  /** Where a stored date or datetime lies: negative before the range, 0 inside, positive after. */
  int position(Object stored) {
    if (stored instanceof Instant i) {
      if (i.isBefore(start.atStartOfDay(ZoneOffset.UTC).toInstant())) {
        return -1;
      }
      return i.isBefore(end.atStartOfDay(ZoneOffset.UTC).toInstant()) ? 0 : 1;
    }
    LocalDate d = (LocalDate) stored;
    if (d.isBefore(start)) {
      return -1;
    }
    return d.isBefore(end) ? 0 : 1;
  }
}
