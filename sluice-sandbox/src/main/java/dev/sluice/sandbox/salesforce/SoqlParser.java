package dev.sluice.sandbox.salesforce;

import dev.sluice.sandbox.salesforce.SObjectSchema.Field;
import dev.sluice.sandbox.salesforce.SObjectSchema.FieldType;
import dev.sluice.sandbox.salesforce.SoqlQuery.Condition;
import dev.sluice.sandbox.salesforce.SoqlQuery.Literal;
import dev.sluice.sandbox.salesforce.SoqlQuery.Op;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses the SOQL subset the sandbox serves:
 * {@code SELECT f1, f2 | COUNT() FROM Obj [WHERE cond] [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], …] [LIMIT n] [OFFSET n]}
 * where {@code cond} combines {@code field op literal} ({@code = != <> < <= > >=}), {@code LIKE},
 * {@code IN}/{@code NOT IN} lists with AND, OR, NOT and parentheses. Datetime literals are unquoted
 * ({@code 2026-01-01T00:00:00Z}, {@code …+01:00}), as in SOQL. Failures carry Salesforce's error codes.
 */
final class SoqlParser {

  private enum Kind { WORD, STRING, RAW, OP, LPAREN, RPAREN, COMMA, EOF }

  private record Token(Kind kind, String text, int column) {}

  private static final Pattern DATETIME =
      Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:?\\d{2})");
  private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
  private static final Pattern NUMBER = Pattern.compile("[+-]?\\d+(\\.\\d+)?");
  private static final DateTimeFormatter DATETIME_PARSER = new DateTimeFormatterBuilder()
      .appendPattern("yyyy-MM-dd'T'HH:mm:ss")
      .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
      .appendOffset("+HH:MM", "Z").toFormatter();
  private static final DateTimeFormatter DATETIME_PARSER_COMPACT = new DateTimeFormatterBuilder()
      .appendPattern("yyyy-MM-dd'T'HH:mm:ss")
      .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
      .appendOffset("+HHMM", "Z").toFormatter();

  private final String source;
  private final List<Token> tokens;
  private final Instant now;
  private int pos;
  private SObjectSchema object;
  private boolean joinsParents;

  private SoqlParser(String source, Instant now) {
    this.source = source;
    this.now = now;
    this.tokens = tokenize(source);
  }

  /** Parses {@code soql}; date literals such as {@code TODAY} are resolved against {@code now} (UTC). */
  static SoqlQuery parse(String soql, Instant now) {
    if (soql == null || soql.isBlank()) {
      throw SalesforceApiException.malformed("A query string (q) is required.");
    }
    return new SoqlParser(soql, now).query();
  }

  private SoqlQuery query() {
    expectWord("SELECT");
    List<Token> fieldTokens = new ArrayList<>();
    boolean countOnly = false;
    if (peek().kind == Kind.WORD && peek().text.equalsIgnoreCase("COUNT")
        && tokens.get(Math.min(pos + 1, tokens.size() - 1)).kind == Kind.LPAREN) {
      pos++;
      expectKind(Kind.LPAREN);
      expectKind(Kind.RPAREN);
      countOnly = true;
    } else {
      do {
        Token t = next();
        if (t.kind != Kind.WORD) {
          throw unexpected(t);
        }
        fieldTokens.add(t);
      } while (acceptKind(Kind.COMMA));
    }
    expectWord("FROM");
    Token from = next();
    if (from.kind != Kind.WORD) {
      throw unexpected(from);
    }
    object = SObjectSchema.of(from.text);
    if (object == null) {
      throw new SalesforceApiException(400, "INVALID_TYPE",
          "sObject type '" + from.text + "' is not supported. If you are attempting to use a custom object, "
              + "be sure to append the '__c' after the entity name.");
    }
    List<Field> select = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Token t : fieldTokens) {
      Field f = field(t);
      if (!seen.add(f.name())) {
        throw new SalesforceApiException(400, "INVALID_FIELD", "duplicate field selected: " + f.name());
      }
      select.add(f);
    }
    Condition where = null;
    if (acceptWord("WHERE")) {
      where = orExpr();
    }
    List<SoqlQuery.OrderItem> orderBy = new ArrayList<>();
    if (acceptWord("ORDER")) {
      expectWord("BY");
      do {
        Field f = field(next());
        boolean desc = false;
        if (acceptWord("DESC")) {
          desc = true;
        } else {
          acceptWord("ASC");
        }
        // SOQL default: nulls first for ascending, last for descending.
        boolean nullsFirst = !desc;
        if (acceptWord("NULLS")) {
          if (acceptWord("FIRST")) {
            nullsFirst = true;
          } else {
            expectWord("LAST");
            nullsFirst = false;
          }
        }
        orderBy.add(new SoqlQuery.OrderItem(f, desc, nullsFirst));
      } while (acceptKind(Kind.COMMA));
    }
    Integer limit = null;
    Integer offset = null;
    if (acceptWord("LIMIT")) {
      limit = nonNegativeInt();
    }
    if (acceptWord("OFFSET")) {
      offset = nonNegativeInt();
      if (offset > 2000) {
        throw new SalesforceApiException(400, "NUMBER_OUTSIDE_VALID_RANGE",
            "Maximum SOQL offset allowed is 2000");
      }
    }
    Token end = next();
    if (end.kind != Kind.EOF) {
      throw unexpected(end);
    }
    return new SoqlQuery(object, List.copyOf(select), where, List.copyOf(orderBy), limit, offset, countOnly,
        joinsParents);
  }

  private Condition orExpr() {
    Condition left = andExpr();
    while (acceptWord("OR")) {
      left = new SoqlQuery.Or(left, andExpr());
    }
    return left;
  }

  private Condition andExpr() {
    Condition left = unary();
    while (acceptWord("AND")) {
      left = new SoqlQuery.And(left, unary());
    }
    return left;
  }

  private Condition unary() {
    if (acceptWord("NOT")) {
      return new SoqlQuery.Not(unary());
    }
    if (acceptKind(Kind.LPAREN)) {
      Condition inner = orExpr();
      expectKind(Kind.RPAREN);
      return inner;
    }
    Field f = field(next());
    if (acceptWord("LIKE")) {
      Token t = next();
      if (t.kind != Kind.STRING) {
        throw unexpected(t);
      }
      if (!f.isText()) {
        throw new SalesforceApiException(400, "INVALID_FIELD",
            "invalid operator on field '" + f.name() + "': LIKE works on text fields only");
      }
      return new SoqlQuery.Like(f, SoqlQuery.likePattern(t.text));
    }
    boolean negated = false;
    if (acceptWord("NOT")) {
      negated = true;
      expectWord("IN");
      return inList(f, true);
    }
    if (acceptWord("IN")) {
      return inList(f, negated);
    }
    Token opToken = next();
    if (opToken.kind != Kind.OP) {
      throw unexpected(opToken);
    }
    Op op = switch (opToken.text) {
      case "=" -> Op.EQ;
      case "!=", "<>" -> Op.NE;
      case "<" -> Op.LT;
      case "<=" -> Op.LE;
      case ">" -> Op.GT;
      case ">=" -> Op.GE;
      default -> throw unexpected(opToken);
    };
    Literal lit = literal(f, next());
    if (lit.value() instanceof Boolean && op != Op.EQ && op != Op.NE) {
      throw new SalesforceApiException(400, "INVALID_FIELD",
          "invalid operator on boolean field '" + f.name() + "'");
    }
    return new SoqlQuery.Comparison(f, op, lit);
  }

  private Condition inList(Field f, boolean negated) {
    expectKind(Kind.LPAREN);
    List<Literal> values = new ArrayList<>();
    do {
      values.add(literal(f, next()));
    } while (acceptKind(Kind.COMMA));
    expectKind(Kind.RPAREN);
    return new SoqlQuery.In(f, List.copyOf(values), negated);
  }

  /** Checks the literal against the field's type, the way Salesforce rejects mismatches. */
  private Literal literal(Field f, Token t) {
    if (t.kind == Kind.WORD && t.text.equalsIgnoreCase("null")) {
      return new Literal(null);
    }
    FieldType type = f.type();
    if ((type == FieldType.DATE || type == FieldType.DATETIME) && t.kind == Kind.WORD) {
      SoqlDateLiteral range = SoqlDateLiteral.resolve(t.text, now);
      if (range == null) {
        throw SalesforceApiException.malformed("\n" + source + "\nERROR at Row:1:Column:" + (t.column + 1)
            + "\nunexpected token: '" + t.text + "'");
      }
      return new Literal(range);
    }
    if (f.isText()) {
      if (t.kind != Kind.STRING) {
        throw typeMismatch(f, "string and should be enclosed in quotes");
      }
      return new Literal(t.text);
    }
    if (t.kind == Kind.STRING) {
      throw typeMismatch(f, typeName(type) + " and should not be enclosed in quotes");
    }
    switch (type) {
      case BOOLEAN -> {
        if (t.kind == Kind.WORD && (t.text.equalsIgnoreCase("true") || t.text.equalsIgnoreCase("false"))) {
          return new Literal(Boolean.parseBoolean(t.text.toLowerCase(Locale.ROOT)));
        }
        throw typeMismatch(f, "boolean");
      }
      case INT, DOUBLE, CURRENCY -> {
        if (t.kind == Kind.RAW && NUMBER.matcher(t.text).matches()) {
          return new Literal(new BigDecimal(t.text));
        }
        throw typeMismatch(f, typeName(type));
      }
      case DATE -> {
        if (t.kind == Kind.RAW && DATE.matcher(t.text).matches()) {
          try {
            return new Literal(LocalDate.parse(t.text));
          } catch (DateTimeParseException e) {
            throw typeMismatch(f, "date");
          }
        }
        throw typeMismatch(f, "date");
      }
      case DATETIME -> {
        if (t.kind == Kind.RAW && DATETIME.matcher(t.text).matches()) {
          return new Literal(parseDateTime(t.text, f));
        }
        throw typeMismatch(f, "dateTime");
      }
      default -> throw typeMismatch(f, typeName(type));
    }
  }

  private static Instant parseDateTime(String text, Field f) {
    try {
      return OffsetDateTime.parse(text, DATETIME_PARSER).toInstant();
    } catch (DateTimeParseException e) {
      try {
        return OffsetDateTime.parse(text, DATETIME_PARSER_COMPACT).toInstant();
      } catch (DateTimeParseException e2) {
        throw typeMismatch(f, "dateTime");
      }
    }
  }

  private static String typeName(FieldType type) {
    return switch (type) {
      case INT -> "int";
      case DOUBLE -> "double";
      case CURRENCY -> "currency";
      case DATE -> "date";
      case DATETIME -> "dateTime";
      case BOOLEAN -> "boolean";
      default -> "string";
    };
  }

  private static SalesforceApiException typeMismatch(Field f, String what) {
    return new SalesforceApiException(400, "INVALID_FIELD",
        "value of filter criterion for field '" + f.name() + "' must be of type " + what);
  }

  private Field field(Token t) {
    if (t.kind != Kind.WORD) {
      throw unexpected(t);
    }
    if (t.text.contains(".")) {
      return parentField(t.text);
    }
    Field f = object.field(t.text);
    if (f == null) {
      throw new SalesforceApiException(400, "INVALID_FIELD",
          "No such column '" + t.text + "' on entity '" + object.name + "'. If you are attempting to use a "
              + "custom field, be sure to append the '__c' after the custom field name. Please reference "
              + "your WSDL or the describe call for the appropriate names.");
    }
    return f;
  }

  /**
   * A parent relationship field ({@code Account.Name} on Contact or Opportunity), as a field named
   * {@code Relationship.Field} that {@link SalesforceRestReads#joinParents} fills in before filtering.
   */
  private Field parentField(String path) {
    String[] parts = path.split("\\.");
    Field lookup = parts.length == 2 ? object.relationship(parts[0]) : null;
    if (lookup == null) {
      throw new SalesforceApiException(400, "INVALID_FIELD",
          "Didn't understand relationship '" + path.substring(0, path.lastIndexOf('.')) + "' in field path. "
              + "If you are attempting to use a custom relationship, be sure to append the '__r' after the custom "
              + "relationship name. Please reference your WSDL or the describe call for the appropriate names.");
    }
    SObjectSchema parent = SObjectSchema.of(lookup.referenceTo());
    Field target = parent.field(parts[1]);
    if (target == null) {
      throw new SalesforceApiException(400, "INVALID_FIELD",
          "No such column '" + parts[1] + "' on entity '" + parent.name + "'. If you are attempting to use a "
              + "custom field, be sure to append the '__c' after the custom field name. Please reference "
              + "your WSDL or the describe call for the appropriate names.");
    }
    joinsParents = true;
    return new Field(lookup.relationshipName() + "." + target.name(), target.type(), true, false, target.length(),
        false, false, target.picklist(), target.referenceTo(), null);
  }

  private int nonNegativeInt() {
    Token t = next();
    if (t.kind == Kind.RAW && t.text.matches("\\d{1,9}")) {
      return Integer.parseInt(t.text);
    }
    throw unexpected(t);
  }

  private Token next() {
    return tokens.get(Math.min(pos++, tokens.size() - 1));
  }

  private Token peek() {
    return tokens.get(Math.min(pos, tokens.size() - 1));
  }

  private boolean acceptWord(String keyword) {
    Token t = peek();
    if (t.kind == Kind.WORD && t.text.equalsIgnoreCase(keyword)) {
      pos++;
      return true;
    }
    return false;
  }

  private void expectWord(String keyword) {
    Token t = next();
    if (t.kind != Kind.WORD || !t.text.equalsIgnoreCase(keyword)) {
      throw unexpected(t);
    }
  }

  private boolean acceptKind(Kind kind) {
    if (peek().kind == kind) {
      pos++;
      return true;
    }
    return false;
  }

  private void expectKind(Kind kind) {
    Token t = next();
    if (t.kind != kind) {
      throw unexpected(t);
    }
  }

  private SalesforceApiException unexpected(Token t) {
    String what = t.kind == Kind.EOF ? "end of query" : "token: '" + t.text + "'";
    return SalesforceApiException.malformed(
        "\n" + source + "\nERROR at Row:1:Column:" + (t.column + 1) + "\nunexpected " + what);
  }

  private static List<Token> tokenize(String s) {
    List<Token> out = new ArrayList<>();
    int i = 0;
    int n = s.length();
    while (i < n) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '(') {
        out.add(new Token(Kind.LPAREN, "(", i++));
      } else if (c == ')') {
        out.add(new Token(Kind.RPAREN, ")", i++));
      } else if (c == ',') {
        out.add(new Token(Kind.COMMA, ",", i++));
      } else if (c == '\'') {
        int start = i++;
        StringBuilder text = new StringBuilder();
        boolean closed = false;
        while (i < n) {
          char d = s.charAt(i++);
          if (d == '\\' && i < n) {
            char e = s.charAt(i++);
            switch (e) {
              case 'n' -> text.append('\n');
              case 't' -> text.append('\t');
              case 'r' -> text.append('\r');
              // Keep LIKE wildcards escaped so the pattern builder sees them as literals.
              case '%', '_' -> text.append('\\').append(e);
              default -> text.append(e);
            }
          } else if (d == '\'') {
            closed = true;
            break;
          } else {
            text.append(d);
          }
        }
        if (!closed) {
          throw SalesforceApiException.malformed("\n" + s + "\nERROR at Row:1:Column:" + (start + 1)
              + "\nunterminated string literal");
        }
        out.add(new Token(Kind.STRING, text.toString(), start));
      } else if (c == '=' || c == '<' || c == '>' || c == '!') {
        int start = i;
        String op;
        if (i + 1 < n && (s.startsWith("<=", i) || s.startsWith(">=", i) || s.startsWith("!=", i)
            || s.startsWith("<>", i))) {
          op = s.substring(i, i + 2);
          i += 2;
        } else {
          op = String.valueOf(c);
          i++;
        }
        out.add(new Token(Kind.OP, op, start));
      } else if (Character.isDigit(c) || ((c == '-' || c == '+') && i + 1 < n && Character.isDigit(s.charAt(i + 1)))) {
        int start = i++;
        while (i < n && isRawChar(s.charAt(i))) {
          i++;
        }
        out.add(new Token(Kind.RAW, s.substring(start, i), start));
      } else if (Character.isLetter(c) || c == '_') {
        int start = i;
        while (i < n && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_' || s.charAt(i) == '.')) {
          i++;
        }
        if (i + 1 < n && s.charAt(i) == ':' && Character.isDigit(s.charAt(i + 1))) {
          i++; // a date literal with a count, e.g. LAST_N_DAYS:30
          while (i < n && Character.isDigit(s.charAt(i))) {
            i++;
          }
        }
        out.add(new Token(Kind.WORD, s.substring(start, i), start));
      } else {
        throw SalesforceApiException.malformed("\n" + s + "\nERROR at Row:1:Column:" + (i + 1)
            + "\nunexpected character '" + c + "'");
      }
    }
    out.add(new Token(Kind.EOF, "", n));
    return out;
  }

  private static boolean isRawChar(char c) {
    return Character.isLetterOrDigit(c) || c == ':' || c == '.' || c == '+' || c == '-';
  }
}
