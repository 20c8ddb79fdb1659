package dev.sluice.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.postgres.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Several processes enqueue the same dedupe keys at once: one job per key, and everyone learns its id. */
class ClusterDedupeTest {
  static final int KEYS = 400;
  static final int PROCESSES = 4;
  static TestDatabase db;

  @BeforeAll
  static void setUp() throws Exception {
    db = TestDatabase.create("queue_dedupe");
    JobQueue.builder(db.dataSource()).schema("dd").build().migrate();
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE public.dedupe_answer (pid bigint, key text, job_id bigint, created boolean)");
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
  void concurrentEnqueuesOfOneKeyMakeOneJobAndAllAgreeOnItsId() throws Exception {
    List<ChildJvm> children = new ArrayList<>();
    try {
      for (int i = 0; i < PROCESSES; i++) {
        children.add(ChildJvm.start(ClusterChild.class, "dedupe", db.jdbcUrl(), db.user(), "dd", Integer.toString(KEYS)));
      }
      for (ChildJvm c : children) assertThat(c.readLine()).isEqualTo("ready");
      for (ChildJvm c : children) c.send("go");
      for (ChildJvm c : children) assertThat(c.readLine()).isEqualTo("done");
      for (ChildJvm c : children) assertThat(c.stop()).isZero();
    } finally {
      children.forEach(ChildJvm::close);
    }
    assertThat(longQuery("SELECT count(*) FROM dd.job")).isEqualTo(KEYS);
    assertThat(longQuery("SELECT count(*) FROM public.dedupe_answer")).isEqualTo((long) KEYS * PROCESSES);
    assertThat(longQuery("SELECT count(*) FROM public.dedupe_answer WHERE created")).as("one creator per key").isEqualTo(KEYS);
    assertThat(longQuery("SELECT count(*) FROM (SELECT key FROM public.dedupe_answer GROUP BY key HAVING count(DISTINCT job_id) > 1) x"))
        .as("every process got the same id for a key").isZero();
    assertThat(longQuery("SELECT count(*) FROM public.dedupe_answer a JOIN dd.job j ON j.id = a.job_id AND j.dedupe_key = a.key"))
        .as("the id answered is the job holding the key").isEqualTo((long) KEYS * PROCESSES);
    assertThat(longQuery("SELECT count(DISTINCT pid) FROM public.dedupe_answer WHERE created")).as("the race was real").isGreaterThan(1);
  }
}
