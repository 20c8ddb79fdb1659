package dev.sluice.pipelines;

/**
 * One thing wrong with a mapping or with one record's mapping.
 *
 * @param field the destination field, or null for the whole mapping
 * @param value the offending value (the computed or source value), or null when there is none
 * @param message what is wrong
 * @param line the line of the mapping file the error is about (the field's key), 0 when unknown
 */
public record MappingError(String field, String value, String message, int line) {

  /** An error without a line (one record's mapping, or before the file's lines are known). */
  public MappingError(String field, String value, String message) {
    this(field, value, message, 0);
  }

  @Override
  public String toString() {
    return (field == null ? "" : field + (value == null ? "" : " (value '" + value + "')") + ": ") + message;
  }

  /** {@code origin:line: field: message}, as compilers print it. */
  public String at(String origin) {
    return (origin == null ? "" : origin + ":") + (line > 0 ? line + ": " : (origin == null ? "" : " ")) + this;
  }

  MappingError atLine(int line) {
    return line == this.line ? this : new MappingError(field, value, message, line);
  }

  static Failure fail(String field, String value, String message) {
    return new Failure(new MappingError(field, value, message));
  }

  /** Carries a {@link MappingError} out of a compile or evaluation step. */
  static final class Failure extends Exception {
    final MappingError error;

    Failure(MappingError error) {
      super(error.toString(), null, false, false);
      this.error = error;
    }
  }
}
