package dev.sluice.connectors.hubspot;

import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectorFactory;
import dev.sluice.connectors.RateLimitSpec;
import dev.sluice.connectors.SourceRecord;
import dev.sluice.postgres.TestDatabase;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.ratelimit.RateLimits;
import dev.sluice.sandbox.ManualClock;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.hubspot.HubSpotDataGenerator;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import dev.sluice.sandbox.hubspot.HubSpotOptions;
import dev.sluice.sandbox.hubspot.HubSpotRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A sandbox HubSpot portal on a manual clock, a real Postgres for the shared rate limits, and the
 * connector factory pointed at both. One per test class.
 */
final class HubSpotTestPortal implements AutoCloseable {

  final TestDatabase db;
  final JobQueue queue;
  final RateLimits rateLimits;
  final ManualClock clock = new ManualClock(Instant.parse("2026-06-01T12:00:00Z"));
  /** The clock the sandbox runs on: {@link #clock} unless the portal was started on real time. */
  final Clock sandboxClock;
  final Sandbox sandbox;
  final ConnectorFactory factory;
  /** Connectors on {@link #clock} (the sandbox's time), for reads that wait for the search index to settle. */
  final ConnectorFactory sourceTimeFactory;
  final Set<String> archivedByTest = new TreeSet<>();
  /** Records touched so far: each {@link #touch} call changes records the previous calls did not. */
  private final java.util.concurrent.atomic.AtomicInteger touched = new java.util.concurrent.atomic.AtomicInteger();

  HubSpotTestPortal(String dbPrefix, HubSpotOptions.Builder options, HubSpotDataGenerator.Spec data) {
    this(dbPrefix, options, data, false);
  }

  /** @param realTime run the sandbox on the system clock (its rolling windows move, as in production) */
  HubSpotTestPortal(String dbPrefix, HubSpotOptions.Builder options, HubSpotDataGenerator.Spec data, boolean realTime) {
    db = TestDatabase.create(dbPrefix);
    queue = JobQueue.builder(db.dataSource()).build().migrate();
    sandboxClock = realTime ? Clock.systemUTC() : clock;
    sandbox = Sandbox.builder().port(0).clock(sandboxClock).hubspot(options.build()).start();
    if (data != null) {
      sandbox.hubspot().generate(data);
    }
    // The buckets run on real time: the limiter must refill while the sandbox's clock stands still.
    rateLimits = new RateLimits(queue.dataSource(), queue.schema(), queue.clock());
    factory = new ConnectorFactory(rateLimits, Clock.systemUTC());
    sourceTimeFactory = new ConnectorFactory(rateLimits, sandboxClock);
  }

  /** Sandbox limits far above what a test uses, so only the limits under test apply. */
  static HubSpotOptions.Builder fastOptions() {
    return HubSpotOptions.builder().customLimits(1_000_000, 100_000_000L).searchPerSecond(100_000);
  }

  /** A connection reading every property the portal's records carry, with limits that never bind. */
  ConnectionConfig.Builder connection(String name, List<String> objects) {
    ConnectionConfig.Builder b = ConnectionConfig.builder(name, "hubspot")
        .baseUrl(sandbox.baseUrl())
        .token(sandbox.hubspot().token(), "HUBSPOT_TOKEN")
        .tier("professional")
        .limit("10s", RateLimitSpec.of(1_000_000, Duration.ofSeconds(10)))
        .limit("daily", RateLimitSpec.of(100_000_000, Duration.ofDays(1)))
        .limit("search", RateLimitSpec.of(100_000, Duration.ofSeconds(1)))
        .objects(objects);
    for (String o : objects) {
      b.properties(o, propertyNames(type(o)));
    }
    return b;
  }

  static HubSpotObjectType type(String plural) {
    return HubSpotObjectType.valueOf(plural.toUpperCase(Locale.ROOT));
  }

  List<String> propertyNames(HubSpotObjectType type) {
    Set<String> names = new TreeSet<>();
    for (String id : sandbox.hubspot().ids(type)) {
      sandbox.hubspot().record(type, id).ifPresent(r -> names.addAll(r.properties().keySet()));
    }
    return new ArrayList<>(names);
  }

  /** The record as the sandbox holds it, in the connector's shape, restricted to {@code properties}. */
  SourceRecord expected(String objectType, String id, List<String> properties) {
    HubSpotRecord r = sandbox.hubspot().record(type(objectType), id).orElseThrow();
    Map<String, String> props = new TreeMap<>();
    r.properties().forEach((k, v) -> {
      if (properties.contains(k)) {
        props.put(k, v);
      }
    });
    Map<String, List<String>> assoc = new LinkedHashMap<>();
    List<String> targets = HubSpotObjectType_targets(objectType);
    r.associations().forEach((t, ids) -> {
      if (targets.contains(t.plural()) && !ids.isEmpty()) {
        assoc.put(t.plural(), ids);
      }
    });
    return new SourceRecord(objectType, r.id(), props, r.archived() ? Map.of() : assoc, r.archived(), r.updatedAt());
  }

  private static List<String> HubSpotObjectType_targets(String objectType) {
    return dev.sluice.connectors.hubspot.HubSpotObjectType.STANDARD.get(objectType).associationTargets();
  }

  Set<String> touch(String objectType, int n) {
    Set<String> out = new TreeSet<>();
    String prop = switch (objectType) {
      case "contacts" -> "firstname";
      case "companies" -> "name";
      case "deals" -> "dealname";
      default -> "subject";
    };
    List<String> ids = sandbox.hubspot().ids(type(objectType));
    int first = touched.getAndAdd(n);
    for (int i = 0; i < n; i++) {
      String id = ids.get((int) (((first + i) * 7919L + 13) % ids.size()));
      sandbox.hubspot().updateRecord(type(objectType), id, Map.of(prop, "touched " + clock.millis() + " " + i));
      out.add(id);
    }
    return out;
  }

  Set<String> archive(String objectType, int n) {
    Set<String> out = new TreeSet<>();
    List<String> ids = sandbox.hubspot().ids(type(objectType));
    for (int i = 0; i < n; i++) {
      String id = ids.get(ids.size() / 2 + i);
      sandbox.hubspot().archiveRecord(type(objectType), id);
      out.add(id);
    }
    archivedByTest.addAll(out);
    return out;
  }

  @Override
  public void close() {
    sandbox.close();
    db.close();
  }
}
