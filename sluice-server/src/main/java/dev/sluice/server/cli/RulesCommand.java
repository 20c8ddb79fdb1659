package dev.sluice.server.cli;

import dev.sluice.inbound.EventFilter;
import dev.sluice.inbound.StoredEvent;
import dev.sluice.rules.Decision;
import dev.sluice.rules.RuleError;
import dev.sluice.rules.RuleReports;
import dev.sluice.rules.RuleSet;
import dev.sluice.rules.RuleTester;
import dev.sluice.rules.RulesEngine;
import dev.sluice.server.runtime.SluiceRuntime;
import dev.sluice.server.config.SluiceConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sluice rules …}: the rules files of the config. */
@Command(name = "rules", mixinStandardHelpOptions = true,
    description = "Check rules files, try them on stored events, and count what rules did or would have done.",
    subcommands = {RulesCommand.Check.class, RulesCommand.Test.class, RulesCommand.ShadowReport.class})
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
        if (config != null) {
          dev.sluice.rules.ActionTargets.Builder targets = config.rules().targets().toBuilder();
          config.connections().values().stream().filter(c -> "hubspot".equals(c.platform())).forEach(c -> targets.hubspotName(c.name()));
          config.connections().values().forEach(targets::connectionName);
          config.connections().values().stream().filter(c -> "google_sheets".equals(c.platform())).forEach(targets::sheetsName);
          errors.addAll(set.configProblems(targets.build()));
        }
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

  /** {@code 7d}, {@code 12h}… back from now, or an ISO-8601 instant. */
  static java.time.Instant since(String text) {
    try {
      return java.time.Instant.parse(text.strip());
    } catch (java.time.format.DateTimeParseException e) {
      return java.time.Instant.now().minus(RuleSet.duration(text).orElseThrow(() -> new IllegalArgumentException(
          "--since must be a duration back from now (7d, 12h, 30m) or an instant (2026-12-01T00:00:00Z); got '" + text + "'")));
    }
  }

  @Command(name = "test", mixinStandardHelpOptions = true,
      description = "Evaluate a rules file against the stored events since --since (nothing is enqueued or logged) and print what would have fired.")
  static final class Test implements Callable<Integer> {
    static final int MAX_EVENTS = 100_000;
    @Mixin ConfigOptions configOptions;

    @Option(names = {"-f", "--file"}, paramLabel = "RULES.yaml", required = true, description = "the rules file(s) to try (repeatable)")
    List<Path> files = new ArrayList<>();

    @Option(names = "--since", paramLabel = "WHEN", defaultValue = "7d", description = "events received since: 7d, 12h, or an instant (default ${DEFAULT-VALUE})")
    String since;

    @Option(names = "--all", description = "print every evaluation, not only those that would fire")
    boolean all;

    @Override
    public Integer call() {
      java.time.Instant from = since(since);
      List<RuleError> errors = RuleSet.check(files);
      if (!errors.isEmpty()) {
        errors.forEach(System.out::println);
        System.out.println(errors.size() + " error(s)");
        return 1;
      }
      LogLevels.quiet();
      SluiceConfig config = configOptions.loadForReading();
      try (SluiceRuntime runtime = SluiceRuntime.open(config, System.getenv(), 2)) {
        RuleSet set = RuleSet.load(files);
        RulesEngine engine;
        try {
          engine = RulesEngine.builder(runtime.queue(), set).targets(config.rules().targets()).build();
        } catch (dev.sluice.rules.RuleFileException e) {
          e.errors().forEach(System.out::println);
          return 1;
        }
        List<StoredEvent> events = new ArrayList<>();
        Long before = null;
        while (events.size() < MAX_EVENTS) {
          List<StoredEvent> page = runtime.inbound().list(new EventFilter(null, null, null, null, from, before, EventFilter.MAX_LIMIT));
          events.addAll(page);
          if (page.size() < EventFilter.MAX_LIMIT) break;
          before = page.get(page.size() - 1).id();
        }
        List<RuleTester.Result> results = engine.dryRun(events);
        int fired = 0;
        for (RuleTester.Result r : results) {
          Decision d = r.decision();
          boolean fires = d.jobs().size() > 0 && d.jobs().get(0).path("created").asBoolean(false) || "debounced".equals(d.outcome());
          if (fires) fired++;
          if (!fires && !all) continue;
          StoredEvent e = r.event();
          List<String> kinds = new ArrayList<>();
          d.jobs().forEach(j -> kinds.add(j.path("kind").asText() + (j.has("throttled_until") ? " (throttled until " + j.path("throttled_until").asText() + ")" : "")));
          System.out.println(e.receivedAt() + "  event " + e.id() + " " + e.type() + " " + e.objectType() + "/" + e.objectId()
              + "  " + d.rule() + ": " + (fires ? "WOULD FIRE " + String.join(", ", kinds) + " (key " + d.dedupeKey() + ")"
              : d.outcome() + (d.decidedBy() == null ? "" : " — " + d.decidedBy()) + (d.error() == null ? "" : " — " + d.error())));
        }
        System.out.println();
        System.out.printf(java.util.Locale.ROOT, "%d stored event(s) since %s%s; %d evaluation(s), %d would fire%n", events.size(), from,
            events.size() >= MAX_EVENTS ? " (the newest " + MAX_EVENTS + ")" : "", results.size(), fired);
        System.out.printf(java.util.Locale.ROOT, "%-30s %s%n", "RULE", "OUTCOMES");
        RuleTester.counts(set, results).forEach((rule, counts) ->
            System.out.printf(java.util.Locale.ROOT, "%-30s %s%n", rule, counts.isEmpty() ? "(no event it listens to)" : counts));
        return 0;
      }
    }
  }

  @Command(name = "shadow-report", mixinStandardHelpOptions = true,
      description = "Per rule, since --since: evaluations, what fired, what would have fired (shadowed), and why not — to compare with the old workflow's enrolments before cutting over.")
  static final class ShadowReport implements Callable<Integer> {
    @Mixin ConfigOptions configOptions;

    @Option(names = "--since", paramLabel = "WHEN", defaultValue = "7d", description = "decisions since: 7d, 12h, or an instant (default ${DEFAULT-VALUE})")
    String since;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
      java.time.Instant from = since(since);
      LogLevels.quiet();
      try (SluiceRuntime runtime = SluiceRuntime.open(configOptions.loadForReading(), System.getenv(), 2)) {
        List<RuleReports.RuleCounts> rows = new RuleReports(runtime.queue()).shadowReport(from);
        if (json) {
          com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
          com.fasterxml.jackson.databind.node.ObjectNode out = m.createObjectNode().put("since", from.toString());
          com.fasterxml.jackson.databind.node.ArrayNode a = out.putArray("rules");
          for (RuleReports.RuleCounts r : rows) {
            a.addObject().put("rule", r.rule()).put("evaluated", r.evaluated()).put("matched", r.matched()).put("fired", r.fired())
                .put("shadowed", r.shadowed()).put("shadowed_jobs", r.shadowedJobs()).put("deduped", r.deduped())
                .put("already_matching", r.alreadyMatching()).put("no_match", r.noMatch()).put("errors", r.errors())
                .put("first_at", r.firstAt().toString()).put("last_at", r.lastAt().toString());
          }
          System.out.println(m.writerWithDefaultPrettyPrinter().writeValueAsString(out));
          return 0;
        }
        System.out.println("decisions since " + from + " (shadowed = would have fired; compare with the old workflow's enrolment counts)");
        System.out.printf(java.util.Locale.ROOT, "%-30s %9s %8s %8s %9s %8s %9s %8s %7s%n", "RULE", "evaluated", "matched", "fired",
            "shadowed", "deduped", "enrolled", "no-match", "errors");
        for (RuleReports.RuleCounts r : rows) {
          System.out.printf(java.util.Locale.ROOT, "%-30s %9d %8d %8d %9d %8d %9d %8d %7d%n", r.rule(), r.evaluated(), r.matched(), r.fired(),
              r.shadowed(), r.deduped(), r.alreadyMatching(), r.noMatch(), r.errors());
        }
        if (rows.isEmpty()) System.out.println("(no decisions in that period)");
        return 0;
      }
    }
  }
}
