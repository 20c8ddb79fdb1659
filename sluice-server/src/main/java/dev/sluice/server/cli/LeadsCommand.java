package dev.sluice.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.sluice.leads.Lead;
import dev.sluice.leads.LeadCounts;
import dev.sluice.leads.LeadState;
import dev.sluice.server.config.SluiceConfig;
import dev.sluice.server.http.LeadJson;
import dev.sluice.server.runtime.SluiceRuntime;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice leads …}: counts per source and state, lists and single leads, from the database. */
@Command(name = "leads", mixinStandardHelpOptions = true,
    description = "Lead counts per source and state, lead lists by state, and single leads.",
    subcommands = {LeadsCommand.Stats.class, LeadsCommand.ListLeads.class, LeadsCommand.Show.class})
final class LeadsCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  interface Action {
    int run(SluiceRuntime runtime, ObjectMapper json) throws Exception;
  }

  static int withRuntime(ConfigOptions options, Action action) throws Exception {
    LogLevels.quiet();
    SluiceConfig config = options.loadForReading();
    try (SluiceRuntime runtime = SluiceRuntime.open(config, System.getenv(), 2)) {
      return action.run(runtime, new ObjectMapper());
    }
  }

  @Command(name = "stats", mixinStandardHelpOptions = true, description = "Leads per source and state.")
  static final class Stats implements Callable<Integer> {
    @Mixin ConfigOptions configOptions;

    @Option(names = "--json", description = "print JSON (the same shape as GET /v1/leads/stats)")
    boolean json;

    @Override
    public Integer call() throws Exception {
      return withRuntime(configOptions, (rt, mapper) -> {
        LeadCounts c = rt.leads().counts();
        if (json) {
          System.out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(LeadJson.counts(mapper, c)));
          return 0;
        }
        System.out.printf(Locale.ROOT, "%-24s %10s %10s %10s %10s %10s%n", "SOURCE", "received", "sending", "sent", "rejected", "retrying");
        for (Map.Entry<String, Map<LeadState, Long>> e : c.bySource().entrySet()) row(e.getKey(), e.getValue());
        if (c.bySource().isEmpty()) System.out.println("(no leads)");
        else row("(all)", c.total());
        return 0;
      });
    }

    private static void row(String name, Map<LeadState, Long> m) {
      System.out.printf(Locale.ROOT, "%-24s %10d %10d %10d %10d %10d%n", name, m.get(LeadState.RECEIVED), m.get(LeadState.SENDING),
          m.get(LeadState.SENT), m.get(LeadState.REJECTED), m.get(LeadState.RETRYING));
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Newest leads first, optionally of one state and source.")
  static final class ListLeads implements Callable<Integer> {
    @Mixin ConfigOptions configOptions;

    @Option(names = "--state", description = "received, sending, sent, rejected or retrying")
    String state;

    @Option(names = "--source", description = "only leads of this source")
    String source;

    @Option(names = "--limit", defaultValue = "20", description = "at most this many, 1..1000 (default: ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
      LeadState s = state == null ? null : LeadState.fromWire(state);
      return withRuntime(configOptions, (rt, mapper) -> {
        List<Lead> leads = rt.leads().leads(s, source, null, limit);
        if (json) {
          ArrayNode arr = mapper.createArrayNode();
          leads.forEach(l -> arr.add(LeadJson.lead(mapper, l)));
          System.out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(arr));
          return 0;
        }
        if (leads.isEmpty()) {
          System.out.println("no leads");
          return 0;
        }
        System.out.printf(Locale.ROOT, "%-8s %-16s %-32s %-9s %8s %-12s %s%n", "LEAD", "SOURCE", "EMAIL", "STATE", "ATTEMPTS", "CRM ID", "LAST ERROR");
        for (Lead l : leads) {
          System.out.printf(Locale.ROOT, "%-8d %-16s %-32s %-9s %8d %-12s %s%n", l.id(), l.source(), l.email(), l.state().wire(),
              l.attempts(), l.crmId() == null ? "-" : l.crmId(), l.lastError() == null ? "" : l.lastError());
        }
        return 0;
      });
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "One lead as JSON (the shape of GET /v1/leads/{id}).")
  static final class Show implements Callable<Integer> {
    @Mixin ConfigOptions configOptions;

    @Parameters(paramLabel = "ID", description = "the lead id")
    long id;

    @Override
    public Integer call() throws Exception {
      return withRuntime(configOptions, (rt, mapper) -> {
        Lead l = rt.leads().lead(id).orElse(null);
        if (l == null) {
          System.err.println("sluice: no lead " + id);
          return 1;
        }
        System.out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(LeadJson.lead(mapper, l)));
        return 0;
      });
    }
  }
}
