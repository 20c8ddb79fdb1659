package dev.sluice.server.cli;

import dev.sluice.postgres.PostgresSource;
import dev.sluice.queue.Job;
import dev.sluice.queue.JobFilter;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.JobState;
import dev.sluice.queue.QueueStats;
import dev.sluice.server.config.SluiceConfig;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code sluice jobs …}: look at and repair the job queue of the configured database. */
@Command(name = "jobs", mixinStandardHelpOptions = true,
    description = "Queue statistics, job lists, retry/cancel of single or dead jobs, and pause/shadow per kind.",
    subcommands = {JobsCommand.Stats.class, JobsCommand.ListJobs.class, JobsCommand.Retry.class, JobsCommand.Cancel.class,
        JobsCommand.RetryDead.class, JobsCommand.CancelDead.class, JobsCommand.Kinds.class, JobsCommand.Pause.class,
        JobsCommand.Resume.class, JobsCommand.Shadow.class, JobsCommand.Unshadow.class})
final class JobsCommand implements Runnable {
  @Mixin ConfigOptions configOptions;

  @Option(names = "--schema", description = "queue schema (default: ${DEFAULT-VALUE})", defaultValue = JobQueue.DEFAULT_SCHEMA)
  String schema;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Opens the configured database and runs {@code action} on its queue. */
  int withQueue(QueueAction action) throws Exception {
    SluiceConfig config = configOptions.load();
    Path home = Path.of(System.getenv().getOrDefault("SLUICE_HOME", ".sluice"));
    try (PostgresSource pg = PostgresSource.open(config.database().orElse(null), home, 2)) {
      JobQueue queue = JobQueue.builder(pg.dataSource()).schema(schema).build().migrate();
      return action.run(queue);
    }
  }

  interface QueueAction {
    int run(JobQueue queue) throws Exception;
  }

  static JobState parseState(String s) {
    return s == null ? null : JobState.fromDb(s);
  }

  @Command(name = "stats", description = "Jobs per kind and state, and the age of the oldest waiting job.")
  static final class Stats implements Callable<Integer> {
    @ParentCommand JobsCommand parent;

    @Override
    public Integer call() throws Exception {
      return parent.withQueue(q -> {
        QueueStats stats = q.stats();
        System.out.printf(Locale.ROOT, "%-30s %10s %10s %10s %10s %10s %10s %10s%n", "KIND", "ready", "running", "retryable",
            "completed", "dead", "cancelled", "shadowed");
        Map<String, Map<JobState, Long>> sorted = new TreeMap<>(stats.countsByKind());
        sorted.forEach((kind, m) -> System.out.printf(Locale.ROOT, "%-30s %10d %10d %10d %10d %10d %10d %10d%n", kind,
            m.getOrDefault(JobState.READY, 0L), m.getOrDefault(JobState.RUNNING, 0L), m.getOrDefault(JobState.RETRYABLE, 0L),
            m.getOrDefault(JobState.COMPLETED, 0L), m.getOrDefault(JobState.DEAD, 0L), m.getOrDefault(JobState.CANCELLED, 0L),
            m.getOrDefault(JobState.SHADOWED, 0L)));
        if (sorted.isEmpty()) System.out.println("(no jobs)");
        System.out.println("oldest ready job waiting: " + stats.oldestReady().map(d -> d.toMillis() + " ms").orElse("none"));
        return 0;
      });
    }
  }

  @Command(name = "list", description = "Newest jobs first, optionally by state, kind and error text.")
  static final class ListJobs implements Callable<Integer> {
    @ParentCommand JobsCommand parent;
    @Option(names = "--state", description = "ready, running, retryable, completed, dead, cancelled or shadowed") String state;
    @Option(names = "--kind") String kind;
    @Option(names = "--error-contains") String errorContains;
    @Option(names = "--limit", defaultValue = "50") int limit;

    @Override
    public Integer call() throws Exception {
      JobState s = parseState(state);
      if (limit < 1 || limit > 10_000) throw new IllegalArgumentException("--limit must be between 1 and 10000, got " + limit);
      return parent.withQueue(q -> {
        System.out.printf(Locale.ROOT, "%10s  %-24s %-10s %7s  %-24s %s%n", "ID", "KIND", "STATE", "ATTEMPT", "RUN AT", "LAST ERROR");
        for (Job j : q.list(s, new JobFilter(kind, errorContains), limit)) {
          String err = j.lastError() == null ? "" : j.lastError().replace('\n', ' ');
          if (err.length() > 80) err = err.substring(0, 77) + "...";
          System.out.printf(Locale.ROOT, "%10d  %-24s %-10s %3d/%-3d  %-24s %s%n", j.id(), j.kind(), j.state().dbValue(),
              j.attempt(), j.maxAttempts(), j.runAt(), err);
        }
        return 0;
      });
    }
  }

  @Command(name = "retry", description = "Runs a dead, cancelled or retryable job again now, with fresh attempts.")
  static final class Retry implements Callable<Integer> {
    @ParentCommand JobsCommand parent;
    @Parameters(paramLabel = "ID") long id;

    @Override
    public Integer call() throws Exception {
      return parent.withQueue(q -> {
        if (q.retry(id)) {
          System.out.println("job " + id + " is ready again");
          return 0;
        }
        System.err.println("sluice: job " + id + (q.find(id).map(j -> " is " + j.state().dbValue() + ", which cannot be retried").orElse(" does not exist")));
        return 1;
      });
    }
  }

  @Command(name = "cancel", description = "Cancels a waiting, running or dead job.")
  static final class Cancel implements Callable<Integer> {
    @ParentCommand JobsCommand parent;
    @Parameters(paramLabel = "ID") long id;

    @Override
    public Integer call() throws Exception {
      return parent.withQueue(q -> {
        if (q.cancel(id)) {
          System.out.println("job " + id + " cancelled");
          return 0;
        }
        System.err.println("sluice: job " + id + (q.find(id).map(j -> " is " + j.state().dbValue() + ", which cannot be cancelled").orElse(" does not exist")));
        return 1;
      });
    }
  }

  @Command(name = "retry-dead", description = "Runs dead jobs again, optionally only of a kind and/or with an error text.")
  static final class RetryDead implements Callable<Integer> {
    @ParentCommand JobsCommand parent;
    @Option(names = "--kind") String kind;
    @Option(names = "--error-contains") String errorContains;

    @Override
    public Integer call() throws Exception {
      return parent.withQueue(q -> {
        System.out.println(q.retryDead(new JobFilter(kind, errorContains)) + " dead jobs are ready again");
        return 0;
      });
    }
  }

  @Command(name = "cancel-dead", description = "Cancels dead jobs, optionally only of a kind and/or with an error text.")
  static final class CancelDead implements Callable<Integer> {
    @ParentCommand JobsCommand parent;
    @Option(names = "--kind") String kind;
    @Option(names = "--error-contains") String errorContains;

    @Override
    public Integer call() throws Exception {
      return parent.withQueue(q -> {
        System.out.println(q.cancelDead(new JobFilter(kind, errorContains)) + " dead jobs cancelled");
        return 0;
      });
    }
  }

  @Command(name = "kinds", description = "Job kinds (with jobs, or the rules' action kinds) and whether each is paused or shadowed.")
  static final class Kinds implements Callable<Integer> {
    @ParentCommand JobsCommand parent;

    @Override
    public Integer call() throws Exception {
      return parent.withQueue(q -> {
        java.util.TreeSet<String> kinds = new java.util.TreeSet<>(q.stats().countsByKind().keySet());
        kinds.addAll(dev.sluice.rules.RulesEngine.ACTION_KINDS);
        System.out.printf(Locale.ROOT, "%-30s %-7s %s%n", "KIND", "PAUSED", "SHADOW");
        for (String k : kinds) System.out.printf(Locale.ROOT, "%-30s %-7s %s%n", k, q.isPaused(k) ? "yes" : "no", q.isShadowed(k) ? "yes" : "no");
        return 0;
      });
    }
  }

  /** pause, resume, shadow, unshadow: one switch of one kind, for every process on the database. */
  abstract static class KindSwitch implements Callable<Integer> {
    @ParentCommand JobsCommand parent;
    @Parameters(paramLabel = "KIND", description = "a job kind, e.g. slack.post") String kind;

    abstract void apply(JobQueue q);

    abstract String done();

    @Override
    public Integer call() throws Exception {
      return parent.withQueue(q -> {
        apply(q);
        System.out.println(kind + " " + done() + " (paused: " + (q.isPaused(kind) ? "yes" : "no") + ", shadow: " + (q.isShadowed(kind) ? "yes" : "no") + ")");
        return 0;
      });
    }
  }

  @Command(name = "pause", description = "No process claims jobs of KIND (running ones finish; rules still enqueue them, their decisions say paused).")
  static final class Pause extends KindSwitch {
    void apply(JobQueue q) { q.pause(kind); }
    String done() { return "paused"; }
  }

  @Command(name = "resume", description = "Jobs of KIND are claimed again.")
  static final class Resume extends KindSwitch {
    void apply(JobQueue q) { q.resume(kind); }
    String done() { return "resumed"; }
  }

  @Command(name = "shadow", description = "New and waiting jobs of KIND are recorded as shadowed (with the request they would send) and never run.")
  static final class Shadow extends KindSwitch {
    void apply(JobQueue q) { q.shadow(kind, true); }
    String done() { return "shadowed"; }
  }

  @Command(name = "unshadow", description = "New jobs of KIND run again (shadowed ones stay recorded).")
  static final class Unshadow extends KindSwitch {
    void apply(JobQueue q) { q.shadow(kind, false); }
    String done() { return "unshadowed"; }
  }
}
