package dev.sluice.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.sluice.inbound.EventFilter;
import dev.sluice.inbound.StoredEvent;
import dev.sluice.server.http.EventJson;
import dev.sluice.server.runtime.SluiceRuntime;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice events list|show|replay}: stored inbound webhook events, read from the database. */
@Command(name = "events", mixinStandardHelpOptions = true, description = "Lists, shows and replays stored inbound webhook events.",
    subcommands = {EventsCommand.ListEvents.class, EventsCommand.Show.class, EventsCommand.Replay.class})
final class EventsCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** The filter options list and replay share. */
  static final class FilterOptions {
    @Option(names = "--source", description = "hubspot, salesforce, mailchimp or standard")
    String source;
    @Option(names = "--connection", description = "connection (or Standard Webhooks source) name")
    String connection;
    @Option(names = "--type", description = "event type, e.g. contact.propertyChange")
    String type;
    @Option(names = "--object-id", description = "the record id the event names")
    String objectId;
    @Option(names = "--since", description = "received at or after this instant (ISO-8601, e.g. 2026-12-07T03:00:00Z)")
    Instant since;

    EventFilter filter(Long before, int limit) {
      return new EventFilter(source, connection, type, objectId, since, before, limit);
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists events, newest first.")
  static final class ListEvents implements Callable<Integer> {
    @Mixin ConfigOptions configOptions;
    @Mixin FilterOptions filter;
    @Option(names = "--before", description = "only events with a smaller id (paging)")
    Long before;
    @Option(names = "--limit", defaultValue = "20", description = "at most this many (default: ${DEFAULT-VALUE})")
    int limit;
    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
      LogLevels.quiet();
      try (SluiceRuntime runtime = SluiceRuntime.open(configOptions.loadForReading(), System.getenv(), 2)) {
        List<StoredEvent> events = runtime.inbound().list(filter.filter(before, limit));
        if (json) {
          ObjectMapper mapper = new ObjectMapper();
          EventJson wire = new EventJson(mapper);
          ArrayNode arr = mapper.createArrayNode();
          events.forEach(e -> arr.add(wire.event(e)));
          System.out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(arr));
          return 0;
        }
        if (events.isEmpty()) {
          System.out.println("no events");
          return 0;
        }
        System.out.printf(Locale.ROOT, "%-8s %-11s %-16s %-28s %-14s %-8s %s%n", "EVENT", "SOURCE", "CONNECTION", "TYPE", "OBJECT", "HANDLED", "RECEIVED");
        for (StoredEvent e : events) {
          System.out.printf(Locale.ROOT, "%-8d %-11s %-16s %-28s %-14s %-8d %s%n", e.id(), e.source(), e.connection(), e.type(),
              e.objectId() == null ? "-" : e.objectId(), e.handledCount(), e.receivedAt());
        }
        return 0;
      }
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Shows one event with its raw request, as JSON.")
  static final class Show implements Callable<Integer> {
    @Mixin ConfigOptions configOptions;
    @Parameters(index = "0", description = "event id")
    long id;

    @Override
    public Integer call() throws Exception {
      LogLevels.quiet();
      try (SluiceRuntime runtime = SluiceRuntime.open(configOptions.loadForReading(), System.getenv(), 2)) {
        StoredEvent e = runtime.inbound().find(id).orElseThrow(() -> new IllegalArgumentException("no event " + id));
        ObjectMapper mapper = new ObjectMapper();
        System.out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(new EventJson(mapper).event(e)));
        return 0;
      }
    }
  }

  @Command(name = "replay", mixinStandardHelpOptions = true,
      description = "Enqueues the event job again for one event (by id) or for every event matching the filter (oldest first).")
  static final class Replay implements Callable<Integer> {
    @Mixin ConfigOptions configOptions;
    @Mixin FilterOptions filter;
    @Parameters(index = "0", arity = "0..1", description = "event id (else the filter options select)")
    Long id;
    @Option(names = "--all", description = "replay every event (needed when no filter option is given)")
    boolean all;
    @Option(names = "--limit", defaultValue = "1000", description = "at most this many (default: ${DEFAULT-VALUE})")
    int limit;

    @Override
    public Integer call() throws Exception {
      LogLevels.quiet();
      try (SluiceRuntime runtime = SluiceRuntime.open(configOptions.loadForReading(), System.getenv(), 2)) {
        if (id != null) {
          if (!runtime.inbound().replay(id)) throw new IllegalArgumentException("no event " + id);
          System.out.println("replayed event " + id);
          return 0;
        }
        EventFilter f = filter.filter(null, limit);
        if (f.matchesEverything() && !all) {
          throw new IllegalArgumentException("give an event id, a filter (--source, --connection, --type, --object-id, --since) or --all");
        }
        List<Long> ids = runtime.inbound().replay(f);
        System.out.println("replayed " + ids.size() + " event" + (ids.size() == 1 ? "" : "s"));
        return 0;
      }
    }
  }
}
