package dev.sluice.sandbox;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The active fault rules of a sandbox. For each non-admin request the rules are tried in the order
 * they were added; the first one whose path matches and whose random draw hits applies (one fault
 * per request). Draws come from one RNG seeded at start, so a single-threaded client sees the same
 * faults on every run with the same seed. Thread-safe.
 */
public final class FaultInjector {
  private final List<Slot> rules = new ArrayList<>();
  private Random random;

  private static final class Slot {
    final FaultRule rule;
    int remaining;

    Slot(FaultRule rule) {
      this.rule = rule;
      this.remaining = rule.times();
    }
  }

  FaultInjector(long seed) {
    this.random = new Random(seed);
  }

  /** Adds a rule (after the existing ones). */
  public synchronized void add(FaultRule rule) {
    rules.add(new Slot(rule));
  }

  /** Removes every rule. */
  public synchronized void clear() {
    rules.clear();
  }

  /** Restarts the random sequence from a seed. */
  public synchronized void reseed(long seed) {
    random = new Random(seed);
  }

  /** The active rules (with {@code times} showing what is left of a limited rule). */
  public synchronized List<FaultRule> rules() {
    return rules.stream().map(s -> s.rule.times(s.remaining)).toList();
  }

  /** The fault to apply to a request on {@code path}, or {@code null}. */
  synchronized FaultRule pick(String path) {
    for (int i = 0; i < rules.size(); i++) {
      Slot s = rules.get(i);
      if (s.remaining == 0) continue;
      if (s.rule.pathPrefix() != null && !path.startsWith(s.rule.pathPrefix())) continue;
      // Draw only for rules that match, so adding a rule for another path does not shift this one.
      if (s.rule.rate() < 1.0 && random.nextDouble() >= s.rule.rate()) continue;
      if (s.remaining > 0) s.remaining--;
      return s.rule;
    }
    return null;
  }
}
