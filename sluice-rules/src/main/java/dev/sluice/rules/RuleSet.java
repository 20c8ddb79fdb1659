package dev.sluice.rules;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * RuleSet is a set of checked rules loaded from YAML files. Loading type-checks every CEL
 * expression and template and refuses the whole set when any file has an error: a
 * {@link RuleFileException} lists each one with its file, line and rule name. Immutable.
 */
public final class RuleSet {
  /** No rules: every event is evaluated against nothing. */
  public static final RuleSet EMPTY = new RuleSet(List.of());

  private final List<Rule> rules;

  private RuleSet(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  /** Loads and checks {@code files}; throws {@link RuleFileException} with every error found. */
  public static RuleSet load(List<Path> files) {
    RuleLoader loader = new RuleLoader();
    files.forEach(loader::load);
    if (!loader.errors().isEmpty()) throw new RuleFileException(loader.errors());
    return new RuleSet(loader.rules());
  }

  /** Loads one file's text; {@code file} names it in errors. */
  public static RuleSet parse(String file, String yaml) {
    RuleLoader loader = new RuleLoader();
    loader.load(file, yaml);
    if (!loader.errors().isEmpty()) throw new RuleFileException(loader.errors());
    return new RuleSet(loader.rules());
  }

  /** The errors of {@code files} (empty when they load), for {@code sluice rules check}. */
  public static List<RuleError> check(List<Path> files) {
    RuleLoader loader = new RuleLoader();
    files.forEach(loader::load);
    return List.copyOf(loader.errors());
  }

  /**
   * Errors for actions naming a connection or signing key that {@code targets} lacks, for
   * {@code sluice rules check} (a server refuses to start on them).
   */
  public List<RuleError> configProblems(ActionTargets targets) {
    return configProblems(targets.actions(new ActionHttp(null, java.time.Clock.systemUTC())));
  }

  /**
   * Errors for actions that do not fit {@code actions}' configuration: a connection that is not
   * configured for the kind, or a kind-specific problem ({@link ActionHandler#configProblem}).
   */
  List<RuleError> configProblems(Actions actions) {
    List<RuleError> out = new java.util.ArrayList<>();
    Map<String, java.util.Set<String>> connections = actions.connections();
    for (Rule r : rules) {
      for (ActionSpec a : r.actions()) {
        if (!(a.args() instanceof Map<?, ?> raw)) continue;
        @SuppressWarnings("unchecked")
        Map<String, Object> args = (Map<String, Object>) raw;
        ActionSignature sig = ActionSignature.ALL.get(a.kind());
        java.util.Set<String> names = connections.get(a.kind());
        if (names == null) {
          out.add(new RuleError(r.file(), a.line(), r.name(), a.kind() + ": this process has no handler for it"));
          continue;
        }
        if (sig.connectionArg() != null) {
          String name = ActionHandler.plain(args.get(sig.connectionArg()));
          if (!names.contains(name)) {
            out.add(new RuleError(r.file(), a.line(), r.name(), a.kind() + ": " + actions.handler(a.kind()).unknownConnection(name) + " in sluice.yaml"
                + (names.isEmpty() ? "" : " (configured: " + String.join(", ", new java.util.TreeSet<>(names)) + ")")));
          }
        }
        String problem = actions.handler(a.kind()).configProblem(args);
        if (problem != null) out.add(new RuleError(r.file(), a.line(), r.name(), problem));
      }
    }
    return out;
  }

  /** The same rules under {@code prefix + name} (a dry run keeps its state apart from the live rules'). */
  RuleSet renamed(String prefix) {
    return new RuleSet(rules.stream().map(r -> new Rule(prefix + r.name(), r.file(), r.line(), r.trigger(), r.when(), r.conditions(),
        r.actions(), r.actionFlows(), r.dedupe(), r.dedupeWindow(), r.shadow(), r.enroll(), r.delay(), r.flow())).toList());
  }

  /** {@code 30d}, {@code 12h}, {@code 15m}, {@code 45s} or ISO-8601 ({@code PT1H}); empty when not a positive duration. */
  public static java.util.Optional<java.time.Duration> duration(String text) {
    return java.util.Optional.ofNullable(RuleLoader.duration(text));
  }

  /** Rule names, in file order. */
  public List<String> names() {
    return rules.stream().map(Rule::name).toList();
  }

  public int size() {
    return rules.size();
  }

  List<Rule> rules() {
    return rules;
  }

  /** The per-key concurrency limit of each action kind a rule's {@code concurrency:} names (one per kind, checked at load). */
  Map<String, Integer> concurrencyLimits() {
    Map<String, Integer> out = new TreeMap<>();
    for (Rule r : rules) {
      for (int i = 0; i < r.actions().size(); i++) {
        Flow.Concurrency c = r.flowOf(i).concurrency();
        if (c != null) out.put(r.actions().get(i).kind(), c.limit());
      }
    }
    return out;
  }
}
