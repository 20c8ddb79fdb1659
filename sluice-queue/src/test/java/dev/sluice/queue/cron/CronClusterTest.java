package dev.sluice.queue.cron;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.postgres.TestDatabase;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.NewJob;
import java.io.File;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Cron fires exactly once per tick with three PROCESSES: each child JVM ({@link CronClusterChild})
 * runs scheduler passes over the same simulated hour at the same time, so every tick is raced
 * by three processes; the job table must hold exactly one job per tick and schedule.
 */
class CronClusterTest {
  private static final String SCHEMA = "sluice";
  private static final int CHILDREN = 3;
  private static final int MINUTES = 30;
  private static final Instant START = Instant.parse("2026-04-01T00:00:00Z");
  private static TestDatabase db;

  @BeforeAll
  static void createDatabase() throws Exception {
    db = TestDatabase.create("cron_cluster");
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE cron_child_ready (child int PRIMARY KEY)");
    }
  }

  @AfterAll
  static void dropDatabase() {
    db.close();
  }

  @Test
  void threeProcessesFireEachTickExactlyOnce() throws Exception {
    JobQueue queue = JobQueue.builder(db.dataSource()).schema(SCHEMA).build().migrate();
    // created just before the simulated hour, so its first tick is START
    CronScheduler cron = new CronScheduler(queue, db.dataSource(), SCHEMA, Clock.fixed(START.minusSeconds(1), java.time.ZoneOffset.UTC));
    cron.schedule("every-minute", "* * * * *", NewJob.of("tick-minute", "{}"));
    cron.schedule("every-five", "*/5 * * * *", NewJob.of("tick-five", "{}"));

    List<Process> children = new ArrayList<>();
    for (int child = 1; child <= CHILDREN; child++) children.add(startChild(child));
    int firedByChildren = 0;
    for (int child = 1; child <= CHILDREN; child++) {
      Process p = children.get(child - 1);
      assertThat(p.waitFor(3, TimeUnit.MINUTES)).as("child finished").isTrue();
      String out = Files.readString(log(child).toPath());
      assertThat(p.exitValue()).as("child %d exit code; output:%n%s", child, out).isZero();
      firedByChildren += Integer.parseInt(out.lines().filter(l -> l.startsWith("fired ")).findFirst().orElseThrow().substring(6).trim());
    }

    assertTicks("every-minute", MINUTES + 1, Duration.ofMinutes(1));
    assertTicks("every-five", MINUTES / 5 + 1, Duration.ofMinutes(5));
    // no tick was answered by the dedupe index alone: the claim let exactly one process enqueue
    assertThat(firedByChildren).isEqualTo(MINUTES + 1 + MINUTES / 5 + 1);
  }

  private static void assertTicks(String schedule, int expected, Duration every) throws Exception {
    List<String> keys = new ArrayList<>();
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT dedupe_key FROM " + SCHEMA + ".job WHERE dedupe_key LIKE 'cron:" + schedule + ":%' ORDER BY run_at")) {
      while (rs.next()) keys.add(rs.getString(1));
    }
    List<String> wanted = new ArrayList<>();
    for (int i = 0; i < expected; i++) wanted.add("cron:" + schedule + ":" + START.plus(every.multipliedBy(i)));
    assertThat(keys).containsExactlyElementsOf(wanted);
  }

  private static File log(int child) {
    return new File("target/cron-child-" + child + ".log");
  }

  private static Process startChild(int child) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    log(child).getParentFile().mkdirs();
    return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        CronClusterChild.class.getName(), db.jdbcUrl(), db.user(), SCHEMA, START.toString(),
        String.valueOf(MINUTES), String.valueOf(child), String.valueOf(CHILDREN))
        .redirectErrorStream(true)
        .redirectOutput(log(child))
        .start();
  }
}
