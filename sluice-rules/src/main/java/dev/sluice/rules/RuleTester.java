package dev.sluice.rules;

import dev.sluice.inbound.StoredEvent;
import dev.sluice.queue.JobQueue;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * RuleTester evaluates a rules file against stored events as a dry run: the real evaluator (conditions,
 * enrollment, dedupe windows, throttle, debounce) runs in one transaction that is rolled back, under
 * rule names of their own ({@value #PREFIX}name), so nothing is enqueued, nothing is logged, and the
 * live rules' keys and enrollments neither show in the answer nor change. Each event is evaluated
 * at the time it was received, oldest first, so windows and throttles behave as they would have.
 * {@code record}/{@code previous} are the mirror as it is now (the mirror keeps no history).
 */
public final class RuleTester {
  /** Prefix of the rule names a dry run uses. */
  public static final String PREFIX = "test:";

  /** What the dry run decided on one event for one rule. */
  public record Result(StoredEvent event, Decision decision) {}

  private final DataSource ds;
  private final JobQueue queue;
  private final Evaluator evaluator;

  RuleTester(JobQueue queue, Evaluator evaluator) {
    this.ds = queue.dataSource();
    this.queue = queue;
    this.evaluator = evaluator;
  }

  /**
   * Evaluates {@code rules} on {@code events} (any order; evaluated oldest first) and answers every
   * decision, with the rule names as written in the file.
   */
  public List<Result> test(RuleSet rules, List<StoredEvent> events) {
    RuleSet renamed = rules.renamed(PREFIX);
    List<StoredEvent> ordered = new ArrayList<>(events);
    ordered.sort(Comparator.comparing(StoredEvent::receivedAt).thenComparing(StoredEvent::id));
    DecisionLog log = new DecisionLog(ds, queue.schema());
    List<Result> out = new ArrayList<>();
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try {
        for (StoredEvent e : ordered) {
          List<Long> ids = evaluator.evaluate(renamed, e, c, e.receivedAt());
          if (ids.isEmpty()) continue;
          for (Decision d : log.decisions(c, ids)) {
            out.add(new Result(e, new Decision(d.id(), d.eventId(), d.trigger(), d.subject(), d.rule().substring(PREFIX.length()),
                d.ruleFile(), d.evaluatedAt(), d.matched(), d.outcome(), d.decidedBy(), d.dedupeKey(), d.inputs(), d.jobs(), d.error())));
          }
        }
      } finally {
        c.rollback();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("dry run failed: " + e.getMessage(), e);
    }
    return out;
  }

  /** Per rule, how many evaluations ended in each outcome (rules in file order, outcomes sorted). */
  public static Map<String, Map<String, Integer>> counts(RuleSet rules, List<Result> results) {
    Map<String, Map<String, Integer>> out = new java.util.LinkedHashMap<>();
    rules.names().forEach(n -> out.put(n, new TreeMap<>()));
    for (Result r : results) out.get(r.decision().rule()).merge(r.decision().outcome(), 1, Integer::sum);
    return out;
  }

}
