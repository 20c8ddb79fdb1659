package dev.sluice.connectors;

import java.util.List;
import java.util.Objects;

/**
 * A mapped record does not fit the destination's schema ({@link DestinationConnector#mapFields}):
 * it is reported with every bad field and value and never sent.
 */
public final class FieldMappingException extends Exception {

  /**
   * One bad field.
   *
   * @param field the destination field
   * @param value the mapped value as text (cut to 200 characters), or {@code null}
   * @param reason why, e.g. {@code "is not a number"}
   */
  public record FieldError(String field, String value, String reason) {
    public FieldError {
      Objects.requireNonNull(field, "field");
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String toString() {
      return field + " = " + (value == null ? "null" : "'" + value + "'") + ": " + reason;
    }
  }

  private final List<FieldError> errors;

  public FieldMappingException(String objectType, List<FieldError> errors) {
    super(objectType + ": " + String.join("; ", errors.stream().map(FieldError::toString).toList()));
    if (errors.isEmpty()) {
      throw new IllegalArgumentException("a mapping failure names at least one field");
    }
    this.errors = List.copyOf(errors);
  }

  /** Every bad field, in the mapping's order. */
  public List<FieldError> errors() {
    return errors;
  }
}
