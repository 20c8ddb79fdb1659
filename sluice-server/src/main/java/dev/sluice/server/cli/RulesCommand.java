package dev.sluice.server.cli;

import dev.sluice.rules.RuleError;
import dev.sluice.rules.RuleSet;
import dev.sluice.server.config.SluiceConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sluice rules …}: the rules files of the config. */
@Command(name = "rules", mixinStandardHelpOptions = true, description = "Check rules files (workflows as code).",
    subcommands = {RulesCommand.Check.class})
final class RulesCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(name = "check", mixinStandardHelpOptions = true,
      description = "Type-check the rules files named in sluice.yaml (or --file): every error with file, line and rule; exit 1 on any.")
  static final class Check implements Callable<Integer> {
    @Mixin ConfigOptions configOptions;

    @Option(names = {"-f", "--file"}, paramLabel = "RULES.yaml", description = "check these files instead of the config's rules.files (repeatable)")
    List<Path> files = new ArrayList<>();

    @Override
    public Integer call() {
      List<Path> toCheck = files;
      List<RuleError> errors = new ArrayList<>();
      SluiceConfig config = null;
      if (toCheck.isEmpty()) {
        config = configOptions.loadForReading();
        toCheck = config.rules().files();
      }
      if (toCheck.isEmpty()) {
        System.out.println("no rules files (sluice.yaml has no rules: section and no --file was given)");
        return 0;
      }
      errors.addAll(RuleSet.check(toCheck));
      RuleSet set = null;
      if (errors.isEmpty()) {
        set = RuleSet.load(toCheck);
        if (config != null) errors.addAll(set.configProblems(config.rules().targets()));
      }
      for (RuleError e : errors) System.out.println(e);
      if (!errors.isEmpty()) {
        System.out.println(errors.size() + " error(s)");
        return 1;
      }
      System.out.println(set.size() + " rule(s) in " + toCheck.size() + " file(s): OK (" + String.join(", ", set.names()) + ")");
      return 0;
    }
  }
}
