package dev.sluice.leads;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

/** Lead counts per source and state (every state present, zero when none). */
public record LeadCounts(Map<String, Map<LeadState, Long>> bySource) {

  public LeadCounts {
    Map<String, Map<LeadState, Long>> copy = new TreeMap<>();
    bySource.forEach((source, states) -> {
      Map<LeadState, Long> full = new EnumMap<>(LeadState.class);
      for (LeadState s : LeadState.values()) full.put(s, states.getOrDefault(s, 0L));
      copy.put(source, java.util.Collections.unmodifiableMap(full));
    });
    bySource = java.util.Collections.unmodifiableMap(copy);
  }

  /** Totals per state over every source. */
  public Map<LeadState, Long> total() {
    Map<LeadState, Long> out = new EnumMap<>(LeadState.class);
    for (LeadState s : LeadState.values()) out.put(s, 0L);
    bySource.values().forEach(m -> m.forEach((s, n) -> out.merge(s, n, Long::sum)));
    return out;
  }
}
