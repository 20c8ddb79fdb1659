package dev.sluice.connectors;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** Converts mapped values to the canonical text of a field's type (see {@link ObjectSchema#check}). */
final class FieldValues {

  private FieldValues() {}

  /** A value as text for a field of unknown type. */
  static String text(Object v) {
    if (v instanceof BigDecimal d) {
      return d.stripTrailingZeros().toPlainString();
    }
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      return d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
    return String.valueOf(v);
  }

  /** For error messages: the value as text, cut to 200 characters. */
  static String show(Object v) {
    if (v == null) {
      return null;
    }
    String s = text(v);
    return s.length() > 200 ? s.substring(0, 200) + "…" : s;
  }

  /**
   * {@code v} in the canonical text of {@code f}'s type.
   *
   * @throws IllegalArgumentException with the reason, e.g. "is not a number"
   */
  static String coerce(ObjectSchema.Field f, Object v) {
    return switch (f.type()) {
      case STRING, ID -> text(v);
      case NUMBER -> number(v);
      case BOOLEAN -> bool(v);
      case DATE -> date(v);
      case DATETIME -> dateTime(v);
      case ENUMERATION -> option(f, v);
    };
  }

  private static String number(Object v) {
    if (v instanceof Boolean) {
      throw new IllegalArgumentException("is not a number");
    }
    try {
      BigDecimal d = v instanceof Number n ? new BigDecimal(text(n)) : new BigDecimal(String.valueOf(v).trim());
      return d.stripTrailingZeros().toPlainString();
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("is not a number");
    }
  }

  private static String bool(Object v) {
    if (v instanceof Boolean b) {
      return b.toString();
    }
    String s = String.valueOf(v).trim().toLowerCase(Locale.ROOT);
    return switch (s) {
      case "true", "yes", "1" -> "true";
      case "false", "no", "0" -> "false";
      default -> throw new IllegalArgumentException("is not true or false");
    };
  }

  private static String date(Object v) {
    if (v instanceof LocalDate d) {
      return d.toString();
    }
    if (v instanceof Instant i) {
      return LocalDate.ofInstant(i, ZoneOffset.UTC).toString();
    }
    String s = String.valueOf(v).trim();
    try {
      return LocalDate.parse(s.length() > 10 ? s.substring(0, 10) : s).toString();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("is not a date (yyyy-MM-dd)");
    }
  }

  private static String dateTime(Object v) {
    if (v instanceof Instant i) {
      return i.toString();
    }
    if (v instanceof OffsetDateTime o) {
      return o.toInstant().toString();
    }
    if (v instanceof ZonedDateTime z) {
      return z.toInstant().toString();
    }
    if (v instanceof Number n && !(v instanceof BigDecimal)) {
      return Instant.ofEpochMilli(n.longValue()).toString(); // HubSpot's form: epoch milliseconds
    }
    String s = String.valueOf(v).trim();
    if (s.matches("\\d{10,14}")) {
      return Instant.ofEpochMilli(Long.parseLong(s)).toString();
    }
    try {
      return OffsetDateTime.parse(s.replaceFirst("([+-]\\d\\d)(\\d\\d)$", "$1:$2")).toInstant().toString();
    } catch (DateTimeParseException e) {
      try {
        return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC).toString();
      } catch (DateTimeParseException e2) {
        try {
          return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant().toString();
        } catch (DateTimeParseException e3) {
          throw new IllegalArgumentException("is not a date-time (ISO-8601, e.g. 2026-01-15T10:30:00Z)");
        }
      }
    }
  }

  private static String option(ObjectSchema.Field f, Object v) {
    String s = text(v);
    if (f.options().isEmpty()) {
      return s;
    }
    for (String o : f.options()) {
      if (o.equals(s)) {
        return o;
      }
    }
    for (String o : f.options()) {
      if (o.equalsIgnoreCase(s.trim())) {
        return o;
      }
    }
    throw new IllegalArgumentException("is not one of " + (f.options().size() > 10
        ? String.join(", ", f.options().subList(0, 10)) + ", …" : String.join(", ", f.options())));
  }
}
