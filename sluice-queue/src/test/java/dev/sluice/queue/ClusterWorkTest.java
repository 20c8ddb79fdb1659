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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Several worker processes on one database: every job runs exactly once and none is lost; and
 * when one process is killed with SIGKILL mid-run, every job still completes, the killed
 * process's jobs are rescued, and only those may have run twice (at-least-once).
 */
class ClusterWorkTest {
  static final int JOBS = 50_000;
  static final int PROCESSES = 3;
  static TestDatabase db;
  static JobQueue queue;

  @BeforeAll
  static void setUp() throws Exception {
    db = TestDatabase.create("queue_cluster");
    queue = JobQueue.builder(db.dataSource()).schema("cluster").build().migrate();
    sql("CREATE UNLOGGED TABLE public.execution (job_id bigint NOT NULL, pid bigint NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())");
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @BeforeEach
  void empty() throws Exception {
    sql("TRUNCATE cluster.job, cluster.job_finished_batch, cluster.job_dead, cluster.job_lease, public.execution");
  }

  static void sql(String statement) throws Exception {
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  static long longQuery(String query) throws Exception {
    try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void enqueueAll() {
    List<NewJob> jobs = new ArrayList<>(JOBS);
    for (int i = 0; i < JOBS; i++) jobs.add(NewJob.of("unit", "{\"n\":" + i + "}"));
    assertThat(queue.bulkEnqueue(jobs)).isEqualTo(JOBS);
  }

  private static List<ChildJvm> startWorkers(long rescueAfterMs) throws Exception {
    List<ChildJvm> children = new ArrayList<>();
    for (int i = 0; i < PROCESSES; i++) {
      children.add(ChildJvm.start(ClusterChild.class, "work", db.jdbcUrl(), db.user(), "cluster", "16", Long.toString(rescueAfterMs)));
    }
    for (ChildJvm child : children) assertThat(child.readLine()).isEqualTo("ready");
    return children;
  }

  @Test
  void everyJobRunsExactlyOnceAcrossProcesses() throws Exception {
    enqueueAll();
    List<ChildJvm> children = startWorkers(30_000);
    try {
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
          .until(() -> queue.stats().count(JobState.COMPLETED) == JOBS);
      for (ChildJvm child : children) assertThat(child.stop()).isZero();
    } finally {
      children.forEach(ChildJvm::close);
    }
    assertThat(longQuery("SELECT count(*) FROM public.execution")).isEqualTo(JOBS);
    assertThat(longQuery("SELECT count(DISTINCT job_id) FROM public.execution")).isEqualTo(JOBS);
    assertThat(longQuery("SELECT count(DISTINCT pid) FROM public.execution")).as("all processes took part").isEqualTo(PROCESSES);
    assertThat(longQuery("SELECT (SELECT count(*) FROM cluster.job) + (SELECT count(*) FROM cluster.job_dead)")).isZero();
    assertThat(longQuery("SELECT count(*) FROM cluster.job_finished WHERE state <> 'completed' OR attempt <> 1")).isZero();
    assertThat(longQuery("SELECT count(*) FROM cluster.job_lease")).as("every lease released").isZero();
  }

  @Test
  void jobsOfAKilledProcessAreRescuedAndEveryJobCompletes() throws Exception {
    enqueueAll();
    List<ChildJvm> children = startWorkers(5_000);
    ChildJvm victim = children.getFirst();
    try {
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
          .until(() -> longQuery("SELECT count(*) FROM public.execution WHERE pid = " + victim.pid()) >= 2_000);
      long heldAtKill = longQuery("SELECT count(*) FROM cluster.job WHERE state = 'running'");
      victim.kill();
      assertThat(victim.isAlive()).isFalse();
      assertThat(heldAtKill).isPositive();
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
          .until(() -> queue.stats().count(JobState.COMPLETED) == JOBS);
      for (ChildJvm child : children.subList(1, children.size())) assertThat(child.stop()).isZero();
    } finally {
      children.forEach(ChildJvm::close);
    }
    assertThat(longQuery("SELECT count(DISTINCT job_id) FROM public.execution")).as("none lost").isEqualTo(JOBS);
    long rescued = longQuery("SELECT count(*) FROM cluster.job_finished WHERE last_error LIKE 'rescued: worker %-" + victim.pid() + "-%'");
    assertThat(rescued).as("the killed process's jobs were rescued").isPositive();
    // A job runs twice only when the rescuer re-queued it: the killed process's jobs (its handler
    // may have run, its completion was never recorded), or, on a machine so loaded that a live
    // worker's heartbeat fell behind the rescue timeout, that worker's.
    long twiceWithoutRescue = longQuery("""
        SELECT count(*) FROM (SELECT job_id FROM public.execution GROUP BY job_id HAVING count(*) > 1) d
        JOIN cluster.job_finished j ON j.id = d.job_id
        WHERE j.last_error IS NULL OR j.last_error NOT LIKE 'rescued%'""");
    assertThat(twiceWithoutRescue).isZero();
    assertThat(longQuery("SELECT (SELECT count(*) FROM cluster.job) + (SELECT count(*) FROM cluster.job_dead)")).isZero();
    assertThat(longQuery("SELECT count(*) - count(DISTINCT id) FROM cluster.job_finished")).as("no completion applied twice").isZero();
  }
}
