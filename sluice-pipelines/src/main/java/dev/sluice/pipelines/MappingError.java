package dev.sluice.pipelines;

/**
 * One thing wrong with a mapping or with one record's mapping.
 *
 * @param field the destination field, or null for the whole mapping
 * @param value the offending value (the computed or source value), or null when there is none
 * @param message what is wrong
 */
public record MappingError(String field, String value, String message) {

  @Override
  public String toString() {
    return (field == null ? "" : field + (value == null ? "" : " (value '" + value + "')") + ": ") + message;
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
