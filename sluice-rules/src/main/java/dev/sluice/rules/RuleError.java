package dev.sluice.rules;

/**
 * One problem found while loading a rules file.
 *
 * @param file the file as given
 * @param line 1-based line in that file (0 when the file could not be read at all)
 * @param rule the rule's name, or null for a problem outside any rule
 */
public record RuleError(String file, int line, String rule, String message) {
  @Override
  public String toString() {
    return file + ":" + line + (rule == null ? "" : ": rule '" + rule + "'") + ": " + message;
  }
}
