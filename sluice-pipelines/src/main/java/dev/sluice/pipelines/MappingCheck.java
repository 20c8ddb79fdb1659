package dev.sluice.pipelines;

import dev.sluice.connectors.Connector;
import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.ObjectSchema;
import dev.sluice.connectors.ObjectSchema.FieldType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a {@link Mapping} against both sides' schemas as the platforms describe them ({@link
 * Connector#describe}: HubSpot properties, Salesforce describe, Mailchimp merge fields): every
 * destination field exists under that exact name and is writable, every source property an
 * expression reads exists (and is synced into the mirror), declared and copied types fit the
 * destination field's type, the match field can key an upsert, and the fields the destination
 * requires to create a record are mapped. Every error names its line of the mapping file.
 */
public final class MappingCheck {
  /** An expression that copies one source property unchanged. */
  private static final Pattern COPY = Pattern.compile("\\s*source\\s*(?:\\.\\s*([A-Za-z_][A-Za-z0-9_]*)|\\[\\s*[\"']([^\"']+)[\"']\\s*\\])\\s*");

  private MappingCheck() {}

  /**
   * Describes both sides through their connectors, then {@link #check}s.
   *
   * @param synced the source properties the mirror holds (the connection's configured properties);
   *     null or empty when it holds every property the source describes
   * @throws MappingException with every error, each with file, line and field
   * @throws ConnectorException when a schema could not be read
   */
  public static void validate(Pipeline p, Connector source, Connector destination, Collection<String> synced)
      throws MappingException, ConnectorException {
    ObjectSchema from = source.describe(p.sourceObject());
    ObjectSchema to = destination.describe(p.destinationObject());
    List<MappingError> errors = check(p.mapping(), p.sourceConnection() + "/" + p.sourceObject(), from, synced,
        p.destinationConnection() + "/" + p.destinationObject(), to, p.matchField());
    if (!errors.isEmpty()) {
      throw new MappingException(p.mapping().origin(), errors);
    }
  }

  /**
   * Every way {@code mapping} does not fit the two schemas, in file order.
   *
   * @param sourceName e.g. {@code hubspot-main/contacts}, for messages
   * @param source the source's schema; null to skip the source side
   * @param synced see {@link #validate}
   * @param destination the destination's schema; null to skip the destination side
   * @param matchField the destination field the pipeline upserts on; null when none
   */
  public static List<MappingError> check(Mapping mapping, String sourceName, ObjectSchema source, Collection<String> synced,
      String destinationName, ObjectSchema destination, String matchField) {
    List<MappingError> errors = new ArrayList<>();
    Set<String> mirror = synced == null || synced.isEmpty() ? null : new TreeSet<>(synced);
    for (MappedField f : mapping.fields()) {
      int line = mapping.line(f.name());
      if (source != null) {
        for (String s : f.expression().sourceFields()) {
          Optional<ObjectSchema.Field> sf = exact(source, s);
          if (sf.isEmpty() && !source.openEnded()) {
            errors.add(new MappingError(f.name(), null, "reads source." + s + ": " + unknown(sourceName, source, s), line));
          } else if (mirror != null && !mirror.contains(s)) {
            errors.add(new MappingError(f.name(), null, "reads source." + s + ", which " + sourceName
                + " has but the mirror does not sync (add it to the connection's properties)", line));
          }
        }
      }
      if (destination == null) {
        continue;
      }
      Optional<ObjectSchema.Field> df = exact(destination, f.name());
      if (df.isEmpty()) {
        if (!destination.openEnded()) {
          errors.add(new MappingError(f.name(), null, unknown(destinationName, destination, f.name()), line));
        }
        continue;
      }
      ObjectSchema.Field d = df.get();
      if (!d.writable()) {
        errors.add(new MappingError(f.name(), null, destinationName + " field '" + d.name() + "' is read-only", line));
        continue;
      }
      String typeError = typeError(f, d, source);
      if (typeError != null) {
        errors.add(new MappingError(f.name(), null, typeError, line));
      }
      if (f.defaultValue() != null && d.type() == FieldType.ENUMERATION && !d.options().isEmpty()
          && d.options().stream().noneMatch(o -> o.equalsIgnoreCase(f.defaultValue()))) {
        errors.add(new MappingError(f.name(), f.defaultValue(), "default is not one of " + destinationName + "'s options "
            + shortList(d.options()), line));
      }
    }
    if (destination != null) {
      if (matchField != null) {
        exact(destination, matchField).filter(d -> !d.unique()).ifPresent(d -> errors.add(new MappingError(matchField, null,
            "is the pipeline's match field, but " + destinationName + " does not keep its values unique, so it cannot upsert by it",
            mapping.line(matchField))));
      }
      for (ObjectSchema.Field d : destination.fields()) {
        if (d.required() && d.writable() && mapping.field(d.name()) == null) {
          errors.add(new MappingError(d.name(), null, destinationName + " requires '" + d.name() + "' (" + d.label()
              + ") to create a record; the mapping does not set it", mapping.line(null)));
        }
      }
    }
    errors.sort(java.util.Comparator.comparingInt(MappingError::line));
    return errors;
  }

  /** Why the field's values cannot have the destination's type, or null when they can. */
  private static String typeError(MappedField f, ObjectSchema.Field d, ObjectSchema source) {
    FieldType want = d.type();
    if (f.typed()) {
      boolean fits = switch (f.type()) {
        case STRING -> want == FieldType.STRING || want == FieldType.ENUMERATION || want == FieldType.ID;
        case NUMBER, INTEGER -> want == FieldType.NUMBER || want == FieldType.STRING || want == FieldType.ID
            || want == FieldType.ENUMERATION;
        case BOOLEAN -> want == FieldType.BOOLEAN || want == FieldType.STRING || want == FieldType.ENUMERATION;
        case EMAIL -> want == FieldType.STRING;
        case DATETIME -> want == FieldType.DATETIME || want == FieldType.DATE || want == FieldType.STRING;
      };
      return fits ? null : "declared type " + f.type().name().toLowerCase(Locale.ROOT) + ", but the destination field is "
          + describe(want);
    }
    String copied = copiedProperty(f.expression().source());
    if (copied == null || source == null) {
      return null; // computed values are converted record by record
    }
    Optional<ObjectSchema.Field> s = exact(source, copied);
    if (s.isEmpty()) {
      return null;
    }
    FieldType have = s.get().type();
    boolean fits = switch (want) {
      case NUMBER -> have == FieldType.NUMBER || have == FieldType.ID;
      case BOOLEAN -> have == FieldType.BOOLEAN || have == FieldType.ENUMERATION;
      case DATE, DATETIME -> have == FieldType.DATE || have == FieldType.DATETIME;
      default -> true;
    };
    return fits ? null : "copies source." + copied + " (" + describe(have) + ") into " + describe(want)
        + "; convert it in the expression or declare a type";
  }

  /** The property an expression copies unchanged ({@code source.x}), or null for any other expression. */
  static String copiedProperty(String expression) {
    Matcher m = COPY.matcher(expression);
    return m.matches() ? (m.group(1) != null ? m.group(1) : m.group(2)) : null;
  }

  private static String describe(FieldType t) {
    return switch (t) {
      case STRING -> "a text field";
      case NUMBER -> "a number field";
      case BOOLEAN -> "a boolean field";
      case DATE -> "a date field";
      case DATETIME -> "a date-time field";
      case ENUMERATION -> "a picklist field";
      case ID -> "a record id field";
    };
  }

  /** The field with exactly this name (mirror rows and comparisons use the exact names). */
  private static Optional<ObjectSchema.Field> exact(ObjectSchema schema, String name) {
    return schema.fields().stream().filter(f -> f.name().equals(name)).findFirst();
  }

  private static String unknown(String system, ObjectSchema schema, String name) {
    Optional<ObjectSchema.Field> other = schema.field(name);
    if (other.isEmpty()) {
      String norm = norm(name);
      other = schema.fields().stream().filter(f -> norm(f.label()).equals(norm) || norm(f.name()).equals(norm)).findFirst();
    }
    if (other.isEmpty()) { // a typo: the closest name within two edits
      String norm = norm(name);
      other = schema.fields().stream().filter(f -> distance(norm(f.name()), norm) <= (norm.length() <= 4 ? 1 : 2))
          .min(java.util.Comparator.comparingInt(f -> distance(norm(f.name()), norm)));
    }
    return system + " has no field '" + name + "'" + other.map(f -> " (did you mean '" + f.name() + "'?)").orElse("");
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) prev[j] = j;
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static String norm(String s) {
    return s.toLowerCase(Locale.ROOT).replaceAll("__c$", "").replaceAll("[^a-z0-9]", "");
  }

  private static String shortList(List<String> options) {
    return options.size() <= 8 ? options.toString() : options.subList(0, 8) + " and " + (options.size() - 8) + " more";
  }
}
