package dev.sluice.pipelines;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The fields one side of a pipeline has (from the platform's properties or describe API), to check a
 * mapping's names at load and to draft mappings.
 *
 * @param system e.g. {@code "salesforce-main/Contact"}, for messages
 * @param fields field name to its description
 */
public record FieldSchema(String system, Map<String, Field> fields) {

  public FieldSchema {
    fields = java.util.Collections.unmodifiableMap(new TreeMap<>(fields));
  }

  /**
   * @param label the human label, may equal the name
   * @param type the platform's type name, e.g. {@code string}, {@code number}, {@code email}
   */
  public record Field(String name, String label, String type) {}

  boolean has(String name) {
    return fields.containsKey(name);
  }

  /** "unknown field" with a suggestion when only the case differs. */
  String unknown(String name) {
    for (String f : fields.keySet()) {
      if (f.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
        return system + " has no field '" + name + "' (did you mean '" + f + "'?)";
      }
    }
    return system + " has no field '" + name + "'";
  }
}
