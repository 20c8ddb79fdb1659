package dev.sluice.pipelines;

import java.util.List;
import java.util.stream.Collectors;

/** A mapping that cannot be used: every error found, each with its field. */
public final class MappingException extends Exception {
  private final List<MappingError> errors;

  public MappingException(String origin, List<MappingError> errors) {
    super(origin + ": " + errors.stream().map(MappingError::toString).collect(Collectors.joining("; ")));
    this.errors = List.copyOf(errors);
  }

  public List<MappingError> errors() {
    return errors;
  }
}
