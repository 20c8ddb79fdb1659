package dev.sluice.rules;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.queue.Job;
import dev.sluice.queue.JobContext;
import dev.sluice.queue.JobFilter;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.JobState;
import dev.sluice.queue.NewJob;
import dev.sluice.queue.PermanentJobFailure;
import dev.sluice.queue.cron.CronSchedule;
import dev.sluice.queue.cron.CronScheduler;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * Rules with {@code on: {schedule: …}}: one cron schedule per rule ({@value #SCHEDULE_PREFIX}name),
 * whose tick job ({@value #TICK_KIND}) evaluates the rule once, cluster-wide, with {@code event}
 * holding the tick (and, for {@code report: dead-jobs}, the dead jobs).
 */
final class ScheduledRules {
  static final String TICK_KIND = "rule-tick";
  static final String SCHEDULE_PREFIX = "rule:";
  /** Dead jobs listed one by one in the report's text (the counts cover all of them). */
  static final int REPORT_LINES = 20;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RuleSet rules;
  private final JobQueue queue;

  ScheduledRules(RuleSet rules, JobQueue queue) {
    this.rules = rules;
    this.queue = queue;
  }

  /** Declares a schedule per scheduled rule and removes those of rules that are gone (idempotent). */
  void schedule(CronScheduler cron) {
    for (Rule r : rules.rules()) {
      if (r.trigger() instanceof Trigger.Schedule s) {
        cron.schedule(SCHEDULE_PREFIX + r.name(), s.cron(), s.zone(),
            NewJob.of(TICK_KIND, JSON.createObjectNode().put("rule", r.name()).toString()));
      }
    }
    for (CronSchedule s : cron.list()) {
      if (!s.name().startsWith(SCHEDULE_PREFIX)) continue;
      String name = s.name().substring(SCHEDULE_PREFIX.length());
      boolean live = rules.rules().stream().anyMatch(r -> r.name().equals(name) && r.trigger() instanceof Trigger.Schedule);
      if (!live) cron.unschedule(s.name());
    }
  }

  /** The tick's occurrence: {@code event.scheduled_at} is the tick, {@code now} the evaluation. */
  Occurrence occurrence(Rule r, Instant tick, Instant now) {
    Trigger.Schedule s = (Trigger.Schedule) r.trigger();
    ObjectNode event = JSON.createObjectNode();
    event.put("type", "schedule");
    event.put("rule", r.name());
    event.put("schedule", s.cron());
    event.put("zone", s.zone().getId());
    event.put("scheduled_at", tick.toString());
    if (Trigger.DEAD_JOBS_REPORT.equals(s.report())) event.set("dead_jobs", deadJobs());
    return new Occurrence("schedule", null, null, "tick:" + tick, event, JSON.createObjectNode(), JSON.createObjectNode(), now);
  }

  /** {@code {total, kinds: {kind: n}, text}}: every dead job counted, the newest listed in text. */
  ObjectNode deadJobs() {
    Map<String, Long> byKind = new TreeMap<>();
    queue.stats().countsByKind().forEach((kind, states) -> {
      long n = states.getOrDefault(JobState.DEAD, 0L);
      if (n > 0) byKind.put(kind, n);
    });
    long total = byKind.values().stream().mapToLong(Long::longValue).sum();
    ObjectNode out = JSON.createObjectNode().put("total", total);
    ObjectNode kinds = out.putObject("kinds");
    byKind.forEach(kinds::put);
    StringBuilder text = new StringBuilder();
    if (total == 0) {
      text.append("No dead jobs.");
    } else {
      text.append(total).append(" dead job").append(total == 1 ? "" : "s").append(": ");
      text.append(String.join(", ", byKind.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList())).append('.');
      List<Job> newest = queue.list(JobState.DEAD, JobFilter.any(), REPORT_LINES);
      for (Job j : newest) {
        String err = j.lastError() == null ? "" : j.lastError().replace('\n', ' ');
        if (err.length() > 160) err = err.substring(0, 157) + "...";
        text.append("\n- job ").append(j.id()).append(' ').append(j.kind()).append(" (").append(j.attempt()).append(" attempts): ").append(err);
      }
      if (total > newest.size()) text.append("\n… and ").append(total - newest.size()).append(" more (./sluice jobs list --state dead)");
    }
    out.put("text", text.toString());
    return out;
  }

  /** The tick job's handler: evaluates its rule with {@code evaluate(rule, occurrence)}. */
  void handle(JobContext ctx, BiFunction<Rule, Occurrence, Long> evaluate) {
    String name = ctx.payload().path("rule").asText();
    Rule r = rules.rules().stream().filter(x -> x.name().equals(name) && x.trigger() instanceof Trigger.Schedule).findFirst()
        .orElseThrow(() -> new PermanentJobFailure("no scheduled rule '" + name + "' in this process's rules"));
    Instant tick = ctx.job().runAt() == null ? ctx.clock().instant() : ctx.job().runAt();
    evaluate.apply(r, occurrence(r, tick, ctx.clock().instant()));
  }
}
