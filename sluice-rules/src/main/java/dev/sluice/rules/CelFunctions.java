package dev.sluice.rules;

import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.types.SimpleType;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.IsoFields;
import java.util.List;
import java.util.Locale;

/**
 * The helper functions rules may call, declared for the type checker and bound for evaluation.
 * Time arguments are CEL timestamps ({@code now}, which the runtime hands over as {@link Instant}) or
 * ISO-8601 text ({@code event.occurred_at}).
 *
 * <ul>
 *   <li>{@code isoWeek(t)} → {@code "2026-W50"} (ISO week-based year and week, UTC)
 *   <li>{@code lower(s)} → {@code s} lower-cased
 *   <li>{@code normalizeEmail(s)} → trimmed, lower-cased, without a {@code +tag}; Gmail without dots
 *   <li>{@code daysBetween(a, b)} → whole days from {@code a} to {@code b} (negative when b is earlier)
 * </ul>
 */
final class CelFunctions {
  private CelFunctions() {}

  static final List<String> NAMES = List.of("isoWeek", "lower", "normalizeEmail", "daysBetween");

  static List<CelFunctionDecl> declarations() {
    return List.of(
        CelFunctionDecl.newFunctionDeclaration("isoWeek",
            CelOverloadDecl.newGlobalOverload("isoWeek_timestamp", SimpleType.STRING, SimpleType.TIMESTAMP),
            CelOverloadDecl.newGlobalOverload("isoWeek_string", SimpleType.STRING, SimpleType.STRING)),
        CelFunctionDecl.newFunctionDeclaration("lower",
            CelOverloadDecl.newGlobalOverload("lower_string", SimpleType.STRING, SimpleType.STRING)),
        CelFunctionDecl.newFunctionDeclaration("normalizeEmail",
            CelOverloadDecl.newGlobalOverload("normalizeEmail_string", SimpleType.STRING, SimpleType.STRING)),
        CelFunctionDecl.newFunctionDeclaration("daysBetween",
            CelOverloadDecl.newGlobalOverload("daysBetween_timestamp_timestamp", SimpleType.INT, SimpleType.TIMESTAMP, SimpleType.TIMESTAMP),
            CelOverloadDecl.newGlobalOverload("daysBetween_string_string", SimpleType.INT, SimpleType.STRING, SimpleType.STRING),
            CelOverloadDecl.newGlobalOverload("daysBetween_timestamp_string", SimpleType.INT, SimpleType.TIMESTAMP, SimpleType.STRING),
            CelOverloadDecl.newGlobalOverload("daysBetween_string_timestamp", SimpleType.INT, SimpleType.STRING, SimpleType.TIMESTAMP)));
  }

  static List<CelFunctionBinding> bindings() {
    return List.of(
        CelFunctionBinding.from("isoWeek_timestamp", Instant.class, CelFunctions::isoWeek),
        CelFunctionBinding.from("isoWeek_string", String.class, s -> isoWeek(instant(s))),
        CelFunctionBinding.from("lower_string", String.class, s -> s.toLowerCase(Locale.ROOT)),
        CelFunctionBinding.from("normalizeEmail_string", String.class, CelFunctions::normalizeEmail),
        CelFunctionBinding.from("daysBetween_timestamp_timestamp", Instant.class, Instant.class, CelFunctions::days),
        CelFunctionBinding.from("daysBetween_string_string", String.class, String.class, (a, b) -> days(instant(a), instant(b))),
        CelFunctionBinding.from("daysBetween_timestamp_string", Instant.class, String.class, (a, b) -> days(a, instant(b))),
        CelFunctionBinding.from("daysBetween_string_timestamp", String.class, Instant.class, (a, b) -> days(instant(a), b)));
  }

  static String isoWeek(Instant t) {
    LocalDate d = t.atOffset(ZoneOffset.UTC).toLocalDate();
    return String.format(Locale.ROOT, "%d-W%02d", d.get(IsoFields.WEEK_BASED_YEAR), d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
  }

  static long days(Instant a, Instant b) {
    return Duration.between(a, b).toDays();
  }

  static String normalizeEmail(String email) {
    String e = email.strip().toLowerCase(Locale.ROOT);
    int at = e.lastIndexOf('@');
    if (at <= 0) return e;
    String local = e.substring(0, at);
    String domain = e.substring(at + 1);
    int plus = local.indexOf('+');
    if (plus > 0) local = local.substring(0, plus);
    if (domain.equals("gmail.com") || domain.equals("googlemail.com")) {
      local = local.replace(".", "");
      domain = "gmail.com";
    }
    return local + "@" + domain;
  }

  /** ISO-8601 instant or offset date-time, a date (midnight UTC), or epoch milliseconds as text. */
  static Instant instant(String s) throws CelEvaluationException {
    String v = s.strip();
    try {
      return Instant.parse(v);
    } catch (DateTimeParseException e) {
      // other forms below
    }
    try {
      return OffsetDateTime.parse(v).toInstant();
    } catch (DateTimeParseException e) {
      // other forms below
    }
    try {
      return LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant();
    } catch (DateTimeParseException e) {
      // other forms below
    }
    if (v.matches("\\d{1,15}")) return Instant.ofEpochMilli(Long.parseLong(v));
    throw new CelEvaluationException("'" + (v.length() > 40 ? v.substring(0, 40) + "…" : v)
        + "' is not a time (ISO-8601 such as 2026-12-07T10:00:00Z, a date, or epoch milliseconds)");
  }
}
