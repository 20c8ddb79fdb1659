package dev.sluice.queue.cron;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.postgres.TestDatabase;
import dev.sluice.queue.Job;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.MutableClock;
import dev.sluice.queue.NewJob;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link CronScheduler} against real PostgreSQL, driven by fixed instants (no real time passes). */
class CronSchedulerTest {
  private static final String SCHEMA = "sluice";
  private static final Instant T0 = Instant.parse("2026-03-02T10:07:30Z");
  private static TestDatabase db;
  private static JobQueue queue;

  private MutableClock clock;
  private CronScheduler cron;

  @BeforeAll
  static void createDatabase() {
    db = TestDatabase.create("cron_scheduler");
    queue = JobQueue.builder(db.dataSource()).schema(SCHEMA).build().migrate();
  }

  @AfterAll
  static void dropDatabase() {
    db.close();
  }

  @BeforeEach
  void freshScheduler() {
    clock = new MutableClock(T0);
    cron = new CronScheduler(queue, db.dataSource(), SCHEMA, clock);
  }

  private static String name(String test) {
    return test + "-" + System.nanoTime();
  }

  /** Jobs enqueued for a schedule, as (dedupe key, run_at), in run order. */
  static List<String> jobsOf(TestDatabase db, String schedule) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = db.dataSource().getConnection();
         PreparedStatement ps = c.prepareStatement(
             "SELECT dedupe_key, run_at, kind, payload::text FROM " + SCHEMA + ".job WHERE dedupe_key LIKE ? ORDER BY run_at, id")) {
      ps.setString(1, "cron:" + schedule + ":%");
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) out.add(rs.getString(1));
      }
    }
    return out;
  }

  /** One pass, keeping only the ticks of schedule {@code n} (other tests' schedules share the table). */
  private List<CronTick> tick(String n, Instant now) {
    return cron.tick(now).stream().filter(t -> t.schedule().equals(n)).toList();
  }

  @Test
  void firesOncePerTickWithTheTickAsRunAtAndDedupeKey() throws Exception {
    String n = name("quarter");
    cron.schedule(n, "*/15 * * * *", NewJob.builder("sync-trigger").payload("{\"stream\":\"contacts\"}").priority(3).build());

    assertThat(tick(n, T0)).as("nothing due at creation").isEmpty();
    assertThat(tick(n, Instant.parse("2026-03-02T10:14:59Z"))).isEmpty();
    List<CronTick> fired = tick(n, Instant.parse("2026-03-02T10:15:00Z"));
    assertThat(fired).singleElement().satisfies(t -> {
      assertThat(t.tick()).isEqualTo(Instant.parse("2026-03-02T10:15:00Z"));
      assertThat(t.job().created()).isTrue();
    });
    assertThat(tick(n, Instant.parse("2026-03-02T10:15:00Z"))).as("same instant again").isEmpty();
    assertThat(tick(n, Instant.parse("2026-03-02T10:29:00Z"))).isEmpty();
    assertThat(tick(n, Instant.parse("2026-03-02T10:30:01Z"))).hasSize(1);

    Job job = queue.find(fired.get(0).job().id()).orElseThrow();
    assertThat(job.kind()).isEqualTo("sync-trigger");
    assertThat(job.payload()).contains("\"stream\"").contains("contacts");
    assertThat(job.priority()).isEqualTo(3);
    assertThat(job.runAt()).isEqualTo(Instant.parse("2026-03-02T10:15:00Z"));
    assertThat(job.dedupeKey()).isEqualTo("cron:" + n + ":2026-03-02T10:15:00Z");
    assertThat(jobsOf(db, n)).containsExactly("cron:" + n + ":2026-03-02T10:15:00Z", "cron:" + n + ":2026-03-02T10:30:00Z");
  }

  @Test
  void missedTicksFireOnceOnRestart() throws Exception {
    String n = name("missed");
    cron.schedule(n, "* * * * *", NewJob.of("k", "{}"));
    // every process was down for 20 minutes: one job for the latest tick, not twenty
    List<CronTick> fired = tick(n, T0.plus(Duration.ofMinutes(20)));
    assertThat(fired).extracting(CronTick::tick).containsExactly(Instant.parse("2026-03-02T10:27:00Z"));
    assertThat(tick(n, Instant.parse("2026-03-02T10:28:00Z"))).extracting(CronTick::tick)
        .containsExactly(Instant.parse("2026-03-02T10:28:00Z"));
    assertThat(jobsOf(db, n)).hasSize(2);
  }

  @Test
  void redeclaringKeepsTheLastTickAndUnscheduleStopsIt() throws Exception {
    String n = name("redeclare");
    cron.schedule(n, "0 * * * *", NewJob.of("k", "{}"));
    assertThat(tick(n, Instant.parse("2026-03-02T11:00:00Z"))).hasSize(1);
    // a process restarting re-declares its schedules: the fired tick must not fire again
    cron.schedule(n, "0 * * * *", NewJob.of("k", "{\"v\":2}"));
    assertThat(tick(n, Instant.parse("2026-03-02T11:30:00Z"))).isEmpty();

    CronSchedule listed = cron.list().stream().filter(s -> s.name().equals(n)).findFirst().orElseThrow();
    assertThat(listed.expression()).isEqualTo("0 * * * *");
    assertThat(listed.zone()).isEqualTo(ZoneId.of("Z"));
    assertThat(listed.lastTick()).isEqualTo(Instant.parse("2026-03-02T11:00:00Z"));
    assertThat(listed.nextTick()).isEqualTo(Instant.parse("2026-03-02T12:00:00Z"));
    assertThat(listed.template().payload()).contains("\"v\":2");

    assertThat(cron.unschedule(n)).isTrue();
    assertThat(cron.unschedule(n)).isFalse();
    assertThat(tick(n, Instant.parse("2026-03-02T13:00:00Z"))).isEmpty();
    assertThat(jobsOf(db, n)).hasSize(1);
  }

  @Test
  void expressionIsReadInTheScheduleZone() {
    String n = name("zone");
    cron.schedule(n, "0 9 * * *", ZoneId.of("Europe/Paris"), NewJob.of("k", "{}"));
    // 09:00 in Paris on 3 March 2026 is 08:00 UTC
    assertThat(tick(n, Instant.parse("2026-03-03T07:59:59Z"))).isEmpty();
    assertThat(tick(n, Instant.parse("2026-03-03T08:00:00Z"))).extracting(CronTick::tick)
        .containsExactly(Instant.parse("2026-03-03T08:00:00Z"));
  }

  @Test
  void startedLoopFiresAtTheClocksTicks() {
    String n = name("loop");
    cron.schedule(n, "* * * * *", NewJob.of("k", "{}"));
    clock.set(Instant.parse("2026-03-02T10:08:00Z"));
    try (CronScheduler running = new CronScheduler(queue, db.dataSource(), SCHEMA, clock).start(Duration.ofMillis(20))) {
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
          .until(() -> jobsOf(db, n).size() == 1);
      clock.set(Instant.parse("2026-03-02T10:09:00Z"));
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
          .until(() -> jobsOf(db, n).size() == 2);
    }
  }

  @Test
  void invalidInputIsRejectedWithAReason() {
    assertThatThrownBy(() -> cron.schedule("bad", "*/15 * * *", NewJob.of("k", "{}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid cron expression '*/15 * * *'")
        .hasMessageContaining("expected 5 fields");
    assertThatThrownBy(() -> cron.schedule("bad", "0 0 * * * *", NewJob.of("k", "{}")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid cron expression");
    assertThatThrownBy(() -> cron.schedule("bad", "61 * * * *", NewJob.of("k", "{}")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid cron expression '61 * * * *'");
    assertThatThrownBy(() -> cron.schedule("bad", "every monday", NewJob.of("k", "{}")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid cron expression");
    assertThatThrownBy(() -> cron.schedule("bad", " ", NewJob.of("k", "{}")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not be blank");
    assertThatThrownBy(() -> cron.schedule("bad", "* * * * *", NewJob.builder("k").dedupeKey("x").build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dedupe key");
    assertThatThrownBy(() -> cron.schedule("bad", "* * * * *", NewJob.of("k", "{not json")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not valid JSON");
    assertThat(cron.list()).extracting(CronSchedule::name).doesNotContain("bad");
  }
}
