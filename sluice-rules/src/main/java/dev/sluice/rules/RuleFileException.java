package dev.sluice.rules;

import java.util.List;
import java.util.stream.Collectors;

/** Thrown when rules files do not load: every error found, each with its file, line and rule. */
public final class RuleFileException extends RuntimeException {
  private final List<RuleError> errors;

  public RuleFileException(List<RuleError> errors) {
    super(errors.size() + " error(s) in rules:\n" + errors.stream().map(RuleError::toString).collect(Collectors.joining("\n")));
    this.errors = List.copyOf(errors);
  }

  public List<RuleError> errors() {
    return errors;
  }
}
