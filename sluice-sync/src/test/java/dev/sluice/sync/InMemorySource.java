package dev.sluice.sync;

import dev.sluice.connectors.ConnectorException;
import dev.sluice.connectors.Page;
import dev.sluice.connectors.SourceConnector;
import dev.sluice.connectors.SourceRecord;
import dev.sluice.connectors.StreamRequest;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A source held in memory, for tests of the engine's own logic (the sandbox tests cover real HTTP).
 * Checkpoints are {@code {"offset":n}}; incremental reads return records updated at or after the
 * since instant. Failures can be scripted per object type: each read pops the next one, if any.
 */
final class InMemorySource implements SourceConnector {
  private final String name;
  private final int pageSize;
  private final Map<String, Map<String, SourceRecord>> data = new LinkedHashMap<>();
  private final Map<String, Deque<ConnectorException>> failures = new ConcurrentHashMap<>();
  /** Reads per object type and checkpoint ("start" for the first page). */
  final Map<String, AtomicInteger> reads = new ConcurrentHashMap<>();
  final List<StreamRequest> requests = java.util.Collections.synchronizedList(new ArrayList<>());
  private final Map<String, CountDownLatch[]> holds = new ConcurrentHashMap<>();
  private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();

  InMemorySource(String name, int pageSize, String... objectTypes) {
    this.name = name;
    this.pageSize = pageSize;
    for (String t : objectTypes) {
      data.put(t, new LinkedHashMap<>());
    }
  }

  synchronized void put(SourceRecord r) {
    data.get(r.objectType()).put(r.externalId(), r);
  }

  /**
   * The records as the source reports them: associations two-sided (declared on either record) and
   * none for archived records, like HubSpot.
   */
  synchronized List<SourceRecord> all(String objectType) {
    List<SourceRecord> out = new ArrayList<>();
    for (SourceRecord r : data.get(objectType).values()) {
      Map<String, List<String>> assoc = new LinkedHashMap<>();
      if (!r.archived()) {
        r.associations().forEach((type, ids) -> {
          for (String id : ids) {
            SourceRecord other = data.containsKey(type) ? data.get(type).get(id) : null;
            if (other == null || !other.archived()) {
              assoc.computeIfAbsent(type, k -> new ArrayList<>()).add(id);
            }
          }
        });
        data.forEach((type, records) -> records.values().forEach(other -> {
          if (!other.archived() && other.associations().getOrDefault(objectType, List.of()).contains(r.externalId())) {
            assoc.computeIfAbsent(type, k -> new ArrayList<>()).add(other.externalId());
          }
        }));
      }
      out.add(new SourceRecord(r.objectType(), r.externalId(), r.properties(), assoc, r.archived(), r.sourceUpdatedAt()));
    }
    return out;
  }

  /** The next {@code n} reads of {@code objectType} fail with {@code e}. */
  void failNext(String objectType, int n, ConnectorException e) {
    Deque<ConnectorException> q = failures.computeIfAbsent(objectType, k -> new ArrayDeque<>());
    synchronized (q) {
      for (int i = 0; i < n; i++) {
        q.add(e);
      }
    }
  }

  /**
   * The next read of {@code objectType} takes its page from the data as it is, counts down
   * {@code reached}, and returns it only once {@code release} is counted down: a page read now and
   * committed later.
   */
  void holdNextRead(String objectType, CountDownLatch reached, CountDownLatch release) {
    holds.put(objectType, new CountDownLatch[] {reached, release});
  }

  /** The next read of {@code objectType} waits for {@code go} before it looks at the data. */
  void gateNextRead(String objectType, CountDownLatch go) {
    gates.put(objectType, go);
  }

  int readsOf(String objectType) {
    return reads.entrySet().stream().filter(e -> e.getKey().startsWith(objectType + "@"))
        .mapToInt(e -> e.getValue().get()).sum();
  }

  @Override
  public String connection() {
    return name;
  }

  @Override
  public String platform() {
    return "hubspot";
  }

  @Override
  public List<String> objectTypes() {
    return List.copyOf(data.keySet());
  }

  /** Any property: the in-memory source keeps whatever its tests put in. */
  @Override
  public dev.sluice.connectors.ObjectSchema describe(String objectType) {
    return new dev.sluice.connectors.ObjectSchema(objectType, List.of(), true);
  }

  @Override
  public Page fetchRecords(StreamRequest r) throws ConnectorException {
    if (!data.containsKey(r.objectType())) {
      throw new IllegalArgumentException("no stream " + r.objectType());
    }
    requests.add(r);
    reads.computeIfAbsent(r.objectType() + "@" + (r.checkpoint() == null ? "start" : r.checkpoint()),
        k -> new AtomicInteger()).incrementAndGet();
    await(gates.remove(r.objectType()));
    Deque<ConnectorException> q = failures.get(r.objectType());
    if (q != null) {
      ConnectorException e;
      synchronized (q) {
        e = q.poll();
      }
      if (e != null) {
        throw e;
      }
    }
    int offset = r.checkpoint() == null ? 0 : Integer.parseInt(r.checkpoint().replaceAll("\\D", ""));
    List<SourceRecord> matching;
    Instant readAt = Instant.now(); // as a real connector says when it read the page
    synchronized (this) {
      Instant since = r.incrementalSince();
      matching = all(r.objectType()).stream()
          .filter(rec -> since == null || rec.sourceUpdatedAt() == null || !rec.sourceUpdatedAt().isBefore(since))
          .toList();
    }
    int end = Math.min(matching.size(), offset + pageSize);
    boolean done = end >= matching.size();
    CountDownLatch[] hold = holds.remove(r.objectType());
    if (hold != null) {
      hold[0].countDown();
      await(hold[1]);
    }
    return new Page(matching.subList(offset, end), done ? null : "{\"offset\":" + end + "}", done, 1,
        r.objectType() + " offset " + offset, readAt);
  }

  private static void await(CountDownLatch latch) {
    if (latch == null) {
      return;
    }
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {}
}
