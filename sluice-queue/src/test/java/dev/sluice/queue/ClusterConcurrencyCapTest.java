package dev.sluice.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.postgres.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two processes with 8 handlers each work a kind capped at 3 running, 1 per concurrency key. The
 * handlers record their start and end on the database clock; at no run's start may more runs be
 * in progress than the caps allow.
 */
class ClusterConcurrencyCapTest {
  static final int JOBS = 300;
  static final int CAP = 3;
  static TestDatabase db;
  static JobQueue queue;

  @BeforeAll
  static void setUp() throws Exception {
    db = TestDatabase.create("queue_caps");
    queue = JobQueue.builder(db.dataSource()).schema("caps").build().migrate();
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.execute("""
          CREATE TABLE public.run_interval (id bigserial PRIMARY KEY, job_id bigint, concurrency_key text, pid bigint,
                                            started timestamptz NOT NULL, ended timestamptz)""");
    }
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  static long longQuery(String query) throws Exception {
    try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void capsHoldAcrossProcesses() throws Exception {
    queue.configureKind("capped", KindPolicy.builder().maxRunning(CAP).maxRunningPerKey(1).build());
    List<ChildJvm> children = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) children.add(ChildJvm.start(ClusterChild.class, "capped", db.jdbcUrl(), db.user(), "caps", "8"));
      for (ChildJvm c : children) assertThat(c.readLine()).isEqualTo("ready");
      // Enqueued once both workers are polling: on a loaded machine the first JVM up could
      // otherwise finish every job before the second one starts.
      List<NewJob> jobs = new ArrayList<>();
      for (int i = 0; i < JOBS; i++) jobs.add(NewJob.builder("capped").concurrencyKey("contact-" + (i % 5)).build());
      queue.bulkEnqueue(jobs);
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
          .until(() -> queue.stats().count("capped", JobState.COMPLETED) == JOBS);
      for (ChildJvm c : children) assertThat(c.stop()).isZero();
    } finally {
      children.forEach(ChildJvm::close);
    }
    assertThat(longQuery("SELECT count(*) FROM public.run_interval WHERE ended IS NOT NULL")).isEqualTo(JOBS);
    assertThat(longQuery("SELECT count(DISTINCT pid) FROM public.run_interval")).as("both processes worked").isEqualTo(2);
    long maxOverlap = longQuery("""
        SELECT max(n) FROM (
          SELECT (SELECT count(*) FROM public.run_interval o WHERE o.started <= r.started AND o.ended > r.started) AS n
          FROM public.run_interval r) x""");
    assertThat(maxOverlap).as("runs in progress at once").isLessThanOrEqualTo(CAP).isGreaterThan(1);
    long maxPerKey = longQuery("""
        SELECT max(n) FROM (
          SELECT (SELECT count(*) FROM public.run_interval o
                  WHERE o.concurrency_key = r.concurrency_key AND o.started <= r.started AND o.ended > r.started) AS n
          FROM public.run_interval r) x""");
    assertThat(maxPerKey).as("runs of one key in progress at once").isEqualTo(1);
  }
}
