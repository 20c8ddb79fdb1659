package dev.sluice.sandbox.salesforce;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A parsed SOQL query over one object: the selected fields (canonical names) or {@code COUNT()},
 * an optional WHERE condition, ORDER BY items and LIMIT/OFFSET. Produced by {@link SoqlParser}, which has already
 * resolved every field against the object's schema and checked literal types.
 */
record SoqlQuery(SObjectSchema object, List<SObjectSchema.Field> select, Condition where,
                 List<OrderItem> orderBy, Integer limit, Integer offset, boolean countOnly, boolean joinsParents) {

  /**
   * A typed literal: String, BigDecimal, Instant, LocalDate, Boolean, a {@link SoqlDateLiteral}
   * ({@code TODAY}, {@code LAST_N_DAYS:7} …), or null for {@code null}.
   */
  record Literal(Object value) {}

  sealed interface Condition permits And, Or, Not, Comparison, In, Like {
    boolean test(SObjectRecord r);
  }

  record And(Condition left, Condition right) implements Condition {
    public boolean test(SObjectRecord r) {
      return left.test(r) && right.test(r);
    }
  }

  record Or(Condition left, Condition right) implements Condition {
    public boolean test(SObjectRecord r) {
      return left.test(r) || right.test(r);
    }
  }

  record Not(Condition inner) implements Condition {
    public boolean test(SObjectRecord r) {
      return !inner.test(r);
    }
  }

  enum Op { EQ, NE, LT, LE, GT, GE }

  record Comparison(SObjectSchema.Field field, Op op, Literal literal) implements Condition {
    public boolean test(SObjectRecord r) {
      Object value = r.get(field.name());
      Object lit = literal.value();
      if (lit == null || value == null) {
        // SOQL: "= null" matches nulls, "!= null" non-nulls; ordering comparisons never match a null.
        boolean bothNull = lit == null && value == null;
        return switch (op) {
          case EQ -> bothNull;
          case NE -> !bothNull;
          default -> false;
        };
      }
      if (lit instanceof SoqlDateLiteral range) {
        int p = range.position(value);
        return switch (op) {
          case EQ -> p == 0;
          case NE -> p != 0;
          case LT -> p < 0;
          case LE -> p <= 0;
          case GT -> p > 0;
          case GE -> p >= 0;
        };
      }
      int c = compareValues(value, lit);
      return switch (op) {
        case EQ -> c == 0;
        case NE -> c != 0;
        case LT -> c < 0;
        case LE -> c <= 0;
        case GT -> c > 0;
        case GE -> c >= 0;
      };
    }
  }

  record In(SObjectSchema.Field field, List<Literal> values, boolean negated) implements Condition {
    public boolean test(SObjectRecord r) {
      Object value = r.get(field.name());
      boolean found = false;
      for (Literal l : values) {
        boolean equal = l.value() instanceof SoqlDateLiteral range
            ? value != null && range.position(value) == 0
            : l.value() == null ? value == null : value != null && compareValues(value, l.value()) == 0;
        if (equal) {
          found = true;
          break;
        }
      }
      return negated != found;
    }
  }

  record Like(SObjectSchema.Field field, Pattern pattern) implements Condition {
    public boolean test(SObjectRecord r) {
      Object value = r.get(field.name());
      return value != null && pattern.matcher(value.toString()).matches();
    }
  }

  record OrderItem(SObjectSchema.Field field, boolean descending, boolean nullsFirst) {}

  /** Text compares case-insensitively, as SOQL does; other types by their natural order. */
  static int compareValues(Object stored, Object literal) {
    if (stored instanceof String s) {
      return String.CASE_INSENSITIVE_ORDER.compare(s, literal.toString());
    }
    if (stored instanceof Number n) {
      return toDecimal(n).compareTo(toDecimal((Number) literal));
    }
    if (stored instanceof Instant i) {
      return i.compareTo((Instant) literal);
    }
    if (stored instanceof LocalDate d) {
      return d.compareTo((LocalDate) literal);
    }
    if (stored instanceof Boolean b) {
      return Boolean.compare(b, (Boolean) literal);
    }
    return stored.toString().compareTo(literal.toString());
  }

  private static BigDecimal toDecimal(Number n) {
    return n instanceof BigDecimal b ? b : new BigDecimal(n.toString());
  }

  /** The ORDER BY comparator, or null when the query has none (results then come in id order). */
  Comparator<SObjectRecord> comparator() {
    if (orderBy.isEmpty()) {
      return null;
    }
    Comparator<SObjectRecord> result = null;
    for (OrderItem item : orderBy) {
      Comparator<SObjectRecord> one = (a, b) -> {
        Object x = a.get(item.field().name());
        Object y = b.get(item.field().name());
        if (x == null || y == null) {
          if (x == y) {
            return 0;
          }
          return (x == null) == item.nullsFirst() ? -1 : 1;
        }
        int c = compareValues(x, y);
        return item.descending() ? -c : c;
      };
      result = result == null ? one : result.thenComparing(one);
    }
    return result;
  }

  /** A SOQL LIKE pattern as a case-insensitive regex: % any run, _ one character, \ escapes. */
  static Pattern likePattern(String like) {
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < like.length(); i++) {
      char c = like.charAt(i);
      if (c == '\\' && i + 1 < like.length()) {
        regex.append(Pattern.quote(String.valueOf(like.charAt(++i))));
      } else if (c == '%') {
        regex.append(".*");
      } else if (c == '_') {
        regex.append('.');
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.DOTALL);
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
