package dev.sluice.sandbox;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The last requests the sandbox received (every platform, admin calls excluded), in arrival order.
 * Bounded: once full, the oldest entries are forgotten. Thread-safe.
 */
public final class RequestJournal {
  /** How many requests are kept by default. */
  public static final int DEFAULT_CAPACITY = 10_000;

  private final int capacity;
  private final ArrayDeque<RecordedRequest> entries = new ArrayDeque<>();
  private long total;

  RequestJournal(int capacity) {
    this.capacity = capacity;
  }

  synchronized void add(RecordedRequest r) {
    if (capacity <= 0) return;
    if (entries.size() == capacity) entries.removeFirst();
    entries.addLast(r);
    total++;
  }

  /** All kept requests, oldest first. */
  public synchronized List<RecordedRequest> all() {
    return new ArrayList<>(entries);
  }

  /** Kept requests matching a condition, oldest first. */
  public synchronized List<RecordedRequest> matching(Predicate<RecordedRequest> condition) {
    return entries.stream().filter(condition).toList();
  }

  /** Kept requests whose path starts with a prefix, oldest first. */
  public List<RecordedRequest> withPathPrefix(String prefix) {
    return matching(r -> r.path().startsWith(prefix));
  }

  /** How many requests were ever recorded (including forgotten ones). */
  public synchronized long totalRecorded() {
    return total;
  }

  public synchronized void clear() {
    entries.clear();
  }

  public int capacity() {
    return capacity;
  }
}
