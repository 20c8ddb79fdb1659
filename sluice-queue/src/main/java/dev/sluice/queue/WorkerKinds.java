package dev.sluice.queue;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A worker's view of the kind policies in {@code job_kind}, as last read: each kind's policy, the
 * capped and paused kinds, and the handled kinds it claims with the plain claim or the capped one
 * (paused and shadowed kinds left out; the claim SQL re-checks, this only saves it the work).
 */
record WorkerKinds(Map<String, KindPolicy> policies, Set<String> capped, Set<String> paused,
                   List<String> uncappedHandled, List<String> cappedHandled) {

  /** Before the first read: every handled kind claimed plainly, default policies. */
  static WorkerKinds initial(List<String> handled) {
    return new WorkerKinds(Map.of(), Set.of(), Set.of(), List.copyOf(handled), List.of());
  }

  static WorkerKinds read(PostgresJobStore store, List<String> handled) {
    List<JobStore.KindSettings> kinds;
    try {
      kinds = store.kinds();
    } catch (SQLException e) {
      throw JobQueue.failure("read kind policies", e);
    }
    Map<String, KindPolicy> policies = new HashMap<>();
    Set<String> capped = new HashSet<>();
    Set<String> idle = new HashSet<>();
    Set<String> paused = new HashSet<>();
    for (JobStore.KindSettings k : kinds) {
      policies.put(k.kind(), k.policy());
      if (k.policy().isCapped()) capped.add(k.kind());
      if (k.paused() || k.shadow()) idle.add(k.kind());
      if (k.paused()) paused.add(k.kind());
    }
    List<String> uncappedHandled = new ArrayList<>();
    List<String> cappedHandled = new ArrayList<>();
    for (String kind : handled) {
      if (idle.contains(kind)) continue;
      if (capped.contains(kind)) cappedHandled.add(kind);
      else uncappedHandled.add(kind);
    }
    return new WorkerKinds(Map.copyOf(policies), Set.copyOf(capped), Set.copyOf(paused),
        List.copyOf(uncappedHandled), List.copyOf(cappedHandled));
  }

  KindPolicy policy(String kind) {
    return policies.getOrDefault(kind, KindPolicy.DEFAULT);
  }
}
