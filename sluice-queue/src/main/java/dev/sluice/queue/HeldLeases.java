package dev.sluice.queue;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * The leases one worker holds and their jobs without an outcome yet. A lease is released (its row
 * deleted with the next completion statement) once every job under it has its outcome recorded or
 * dropped. Thread-safe.
 */
final class HeldLeases {
  private static final class Entry {
    /** Jobs whose outcome is neither queued nor dropped. */
    final Map<Long, HeldJob> open = new HashMap<>();
    /** Outcomes queued for the completer and not yet recorded. */
    int pending;
  }

  private final Map<UUID, Entry> leases = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<UUID> releasable = new ConcurrentLinkedQueue<>();

  void add(UUID lease, Collection<HeldJob> jobs) {
    Entry e = new Entry();
    for (HeldJob h : jobs) e.open.put(h.job.id(), h);
    leases.put(lease, e);
  }

  boolean isEmpty() {
    return leases.isEmpty();
  }

  List<UUID> leases() {
    return new ArrayList<>(leases.keySet());
  }

  /** The handler's outcome of {@code h} goes to the completer. */
  void outcomeQueued(HeldJob h) {
    Entry e = leases.get(h.lease);
    if (e == null) return;
    synchronized (e) {
      if (e.open.remove(h.job.id()) != null) e.pending++;
    }
  }

  /** {@code h} ends without an outcome (its lease was lost). */
  void dropped(HeldJob h) {
    Entry e = leases.get(h.lease);
    if (e == null) return;
    synchronized (e) {
      e.open.remove(h.job.id());
      releaseIfDone(h.lease, e);
    }
  }

  /** An outcome of a job under {@code lease} was recorded (or given up). */
  void recorded(UUID lease) {
    Entry e = leases.get(lease);
    if (e == null) return;
    synchronized (e) {
      e.pending--;
      releaseIfDone(lease, e);
    }
  }

  private void releaseIfDone(UUID lease, Entry e) {
    if (e.open.isEmpty() && e.pending <= 0 && leases.remove(lease, e)) releasable.add(lease);
  }

  /** Leases to delete with the next completion statement. */
  List<UUID> drainReleasable() {
    List<UUID> out = new ArrayList<>();
    UUID l;
    while ((l = releasable.poll()) != null) out.add(l);
    return out;
  }

  /** Gives back leases drained for a statement that failed. */
  void unrelease(Collection<UUID> lost) {
    releasable.addAll(lost);
  }

  boolean hasReleasable() {
    return !releasable.isEmpty();
  }

  /**
   * Applies a heartbeat's answer: held jobs of {@code beaten} leases that are not in {@code alive}
   * are lost; those in {@code cancelRequested} are to be cancelled. Each affected job goes to
   * {@code onChange} once per call.
   */
  void applyHeartbeat(Collection<UUID> beaten, Set<Long> alive, Set<Long> cancelRequested, Consumer<HeldJob> onChange) {
    for (UUID lease : beaten) {
      Entry e = leases.get(lease);
      if (e == null) continue;
      List<HeldJob> changed = new ArrayList<>();
      synchronized (e) {
        for (HeldJob h : e.open.values()) {
          if (!alive.contains(h.job.id())) {
            h.lost = true;
            changed.add(h);
          } else if (cancelRequested.contains(h.job.id()) && h.requestCancel()) {
            changed.add(h);
          }
        }
      }
      changed.forEach(onChange);
    }
  }

  /** Every held job without an outcome yet, for the watchdog and cancel notices. */
  void forEachOpen(Consumer<HeldJob> action) {
    for (Entry e : leases.values()) {
      List<HeldJob> jobs;
      synchronized (e) {
        jobs = new ArrayList<>(e.open.values());
      }
      jobs.forEach(action);
    }
  }
}
