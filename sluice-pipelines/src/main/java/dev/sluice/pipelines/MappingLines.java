package dev.sluice.pipelines;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The line of each key of a mapping file: top-level keys and the destination fields under {@code
 * fields:}, so that every error can name its line. Jackson's tree drops locations, so the file is
 * read a second time as tokens.
 */
final class MappingLines {
  private static final YAMLFactory YAML = new YAMLFactory();

  private final Map<String, Integer> top = new HashMap<>();
  private final Map<String, Integer> fields = new HashMap<>();

  static MappingLines of(String yaml) {
    MappingLines out = new MappingLines();
    try (JsonParser p = YAML.createParser(yaml)) {
      int depth = 0;
      boolean inFields = false;
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        switch (t) {
          case START_OBJECT, START_ARRAY -> depth++;
          case END_OBJECT, END_ARRAY -> {
            depth--;
            if (depth <= 1) inFields = false;
          }
          case FIELD_NAME -> {
            int line = p.currentTokenLocation().getLineNr();
            if (depth == 1) {
              out.top.putIfAbsent(p.currentName(), line);
              inFields = "fields".equals(p.currentName());
            } else if (depth == 2 && inFields) {
              out.fields.putIfAbsent(p.currentName(), line);
            }
          }
          default -> { }
        }
      }
    } catch (IOException | RuntimeException e) {
      // not YAML: the tree parse reports it with its own location
    }
    return out;
  }

  /** The line of destination field {@code name}, or of {@code fields:} when unknown; 0 when neither is known. */
  int field(String name) {
    Integer l = name == null ? null : fields.get(name);
    return l != null ? l : top.getOrDefault("fields", 0);
  }

  /** The line of top-level key {@code key}, 0 when absent. */
  int top(String key) {
    return top.getOrDefault(key, 0);
  }
}
