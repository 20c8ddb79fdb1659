package dev.sluice.pipelines;

import java.util.List;
import java.util.stream.Collectors;

/** A mapping that cannot be used: every error found, each with its file, line and field. */
public final class MappingException extends Exception {
  private final String origin;
  private final List<MappingError> errors;

  public MappingException(String origin, List<MappingError> errors) {
    super(errors.stream().map(e -> e.at(origin)).collect(Collectors.joining("; ")));
    this.origin = origin;
    this.errors = List.copyOf(errors);
  }

  /** Where the mapping came from (a file name). */
  public String origin() {
    return origin;
  }

  public List<MappingError> errors() {
    return errors;
  }

  /** One error a line, {@code origin:line: field: message}. */
  public String report() {
    return errors.stream().map(e -> e.at(origin)).collect(Collectors.joining("\n"));
  }
}
