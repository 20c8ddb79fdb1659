package dev.sluice.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A declared mapping from a source record to a destination record: destination field ← CEL
 * expression over {@code source} (the source record's properties, every value a string, a missing or
 * null property as {@code ""}), with a type, required fields and defaults. Immutable and thread-safe.
 *
 * <pre>{@code
 * fields:
 *   Email:      {from: source.email, type: email, required: true}
 *   LastName:   {from: source.lastname, required: true, default: "Unknown"}
 *   LeadSource: 'source.hs_analytics_source == "" ? "Marketing Site" : source.hs_analytics_source'
 *   FirstName:  {from: source.firstname, conflict: newest}
 * }</pre>
 *
 * <p>{@link #apply} answers every field's value or the first field that failed, with its value: a
 * record is never mapped half.
 */
public final class Mapping {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Set<String> FIELD_KEYS = Set.of("from", "type", "required", "default", "conflict");

  private final String origin;
  private final List<MappedField> fields;
  private final MappingLines lines;
  /** Every source property an expression reads (each compiled expression's, once). */
  private final Set<String> read;

  private Mapping(String origin, List<MappedField> fields, MappingLines lines) {
    this.origin = origin;
    this.fields = List.copyOf(fields);
    this.lines = lines;
    Set<String> r = new TreeSet<>();
    this.fields.forEach(f -> r.addAll(f.expression().sourceFields()));
    this.read = Collections.unmodifiableSet(r);
  }

  /** Reads and compiles a mapping file. */
  public static Mapping load(Path file) throws IOException, MappingException {
    return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
  }

  /**
   * Compiles mapping YAML; every error is collected with its field.
   *
   * @param origin where the text came from (a file name), for messages
   * @throws MappingException listing every field that does not compile or is malformed
   */
  public static Mapping parse(String yaml, String origin) throws MappingException {
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      throw new MappingException(origin, List.of(new MappingError(null, null, "not YAML: " + e.getOriginalMessage(), line)));
    } catch (IOException e) {
      throw new MappingException(origin, List.of(new MappingError(null, null, "not YAML: " + e.getMessage())));
    }
    MappingLines lines = MappingLines.of(yaml);
    if (root == null || !root.path("fields").isObject() || root.path("fields").isEmpty()) {
      throw new MappingException(origin, List.of(new MappingError(null, null,
          "a mapping needs a 'fields:' map of destination field to expression", lines.top("fields"))));
    }
    List<MappingError> errors = new ArrayList<>();
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!key.equals("fields")) {
        errors.add(new MappingError(null, null, "unknown key '" + key + "' (a mapping has 'fields:')", lines.top(key)));
      }
    }
    List<MappedField> fields = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.path("fields").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      try {
        fields.add(field(e.getKey(), e.getValue()));
      } catch (MappingError.Failure f) {
        errors.add(f.error.atLine(lines.field(e.getKey())));
      }
    }
    if (!errors.isEmpty()) {
      throw new MappingException(origin, errors);
    }
    return new Mapping(origin, fields, lines);
  }

  private static MappedField field(String name, JsonNode spec) throws MappingError.Failure {
    String expression;
    FieldType type = FieldType.STRING;
    boolean typed = false;
    boolean required = false;
    String defaultValue = null;
    String conflict = MappedField.NEWEST;
    if (spec.isTextual()) {
      expression = spec.asText();
    } else if (spec.isObject()) {
      for (Iterator<String> it = spec.fieldNames(); it.hasNext(); ) {
        String key = it.next();
        if (!FIELD_KEYS.contains(key)) {
          throw MappingError.fail(name, null, "unknown key '" + key + "' (known: " + String.join(", ", new TreeSet<>(FIELD_KEYS)) + ")");
        }
      }
      if (!spec.path("from").isTextual()) {
        throw MappingError.fail(name, null, "needs 'from:', a CEL expression over source");
      }
      expression = spec.path("from").asText();
      if (spec.has("type")) {
        type = FieldType.named(name, spec.path("type").asText());
        typed = true;
      }
      required = spec.path("required").asBoolean(false);
      if (spec.has("default") && !spec.path("default").isNull()) {
        defaultValue = spec.path("default").asText();
      }
      if (spec.has("conflict")) {
        conflict = spec.path("conflict").asText();
      }
    } else {
      throw MappingError.fail(name, null, "expected an expression or {from, type, required, default, conflict}");
    }
    if (defaultValue != null) {
      try {
        defaultValue = type.convert(defaultValue);
      } catch (IllegalArgumentException e) {
        throw MappingError.fail(name, defaultValue, "default: " + e.getMessage());
      }
    }
    return new MappedField(name, MappingExpression.compile(name, expression), type, typed, required, defaultValue, conflict);
  }

  /** Where the mapping came from. */
  public String origin() {
    return origin;
  }

  /** The destination fields, in file order. */
  public List<String> destinationFields() {
    return fields.stream().map(MappedField::name).toList();
  }

  /** Every source property an expression reads. */
  public Set<String> sourceFields() {
    return read;
  }

  List<MappedField> fields() {
    return fields;
  }

  MappedField field(String name) {
    for (MappedField f : fields) if (f.name().equals(name)) return f;
    return null;
  }

  /** The line of destination field {@code name} in the file (of {@code fields:} for a field it lacks); 0 when unknown. */
  public int line(String name) {
    return lines.field(name);
  }

  /**
   * Checks field names against both sides' schemas: each source property an expression reads must
   * exist on the source, each destination field on the destination (matched case-insensitively only
   * to suggest the right spelling).
   *
   * @return one error per unknown name; empty when the mapping fits both schemas
   */
  public List<MappingError> check(FieldSchema source, FieldSchema destination) {
    List<MappingError> errors = new ArrayList<>();
    for (MappedField f : fields) {
      if (destination != null && !destination.has(f.name())) {
        errors.add(new MappingError(f.name(), null, destination.unknown(f.name()), line(f.name())));
      }
      if (source != null) {
        for (String s : f.expression().sourceFields()) {
          if (!source.has(s)) {
            errors.add(new MappingError(f.name(), null, "reads source." + s + ": " + source.unknown(s), line(f.name())));
          }
        }
      }
    }
    return errors;
  }

  /**
   * Maps one source record.
   *
   * @param source the source record's properties (null values read as {@code ""})
   * @return every destination field's value (null: empty), in file order; or the first failure
   */
  public Result apply(Map<String, String> source) {
    Map<String, String> values = new LinkedHashMap<>();
    Map<String, String> input = MappingExpression.input(source, read);
    for (MappedField f : fields) {
      String value;
      try {
        value = f.expression().evaluatePrepared(input);
      } catch (MappingError.Failure e) {
        return Result.failed(e.error);
      }
      try {
        value = value == null || value.isEmpty() ? null : f.type().convert(value);
      } catch (IllegalArgumentException e) {
        return Result.failed(new MappingError(f.name(), value, e.getMessage()));
      }
      if (value == null) {
        value = f.defaultValue();
      }
      if (value == null && f.required()) {
        return Result.failed(new MappingError(f.name(), "", "required, but `" + f.expression().source() + "` is empty"));
      }
      values.put(f.name(), value);
    }
    return Result.mapped(values);
  }

  /** The outcome of {@link #apply}: {@code values} (nulls for empty fields) or {@code error}. */
  public record Result(Map<String, String> values, MappingError error) {
    static Result mapped(Map<String, String> values) {
      return new Result(Collections.unmodifiableMap(values), null);
    }

    static Result failed(MappingError error) {
      return new Result(null, error);
    }

    public boolean ok() {
      return error == null;
    }
  }

  /** A destination field's value type, checked and normalized after the expression. */
  public enum FieldType {
    STRING, NUMBER, INTEGER, BOOLEAN, EMAIL, DATETIME;

    static FieldType named(String field, String name) throws MappingError.Failure {
      try {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw MappingError.fail(field, name, "unknown type (known: string, number, integer, boolean, email, datetime)");
      }
    }

    /** The value in this type's normal form; IllegalArgumentException naming what is wrong. */
    String convert(String v) {
      String t = v.strip();
      return switch (this) {
        case STRING -> v;
        case NUMBER -> {
          try {
            yield new java.math.BigDecimal(t).stripTrailingZeros().toPlainString();
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number");
          }
        }
        case INTEGER -> {
          try {
            yield new java.math.BigDecimal(t).toBigIntegerExact().toString();
          } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("not an integer");
          }
        }
        case BOOLEAN -> switch (t.toLowerCase(Locale.ROOT)) {
          case "true", "yes", "1" -> "true";
          case "false", "no", "0" -> "false";
          default -> throw new IllegalArgumentException("not a boolean (true/false)");
        };
        case EMAIL -> {
          if (!t.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) throw new IllegalArgumentException("not an email address");
          yield t;
        }
        case DATETIME -> datetime(t);
      };
    }

    private static String datetime(String t) {
      try {
        if (t.matches("-?\\d+")) return java.time.Instant.ofEpochMilli(Long.parseLong(t)).toString();
        if (t.matches("\\d{4}-\\d{2}-\\d{2}")) return java.time.LocalDate.parse(t).atStartOfDay(java.time.ZoneOffset.UTC).toInstant().toString();
        return java.time.OffsetDateTime.parse(t).toInstant().toString();
      } catch (java.time.DateTimeException | NumberFormatException e) {
        throw new IllegalArgumentException("not a date-time (ISO-8601 or epoch milliseconds)");
      }
    }
  }
}
