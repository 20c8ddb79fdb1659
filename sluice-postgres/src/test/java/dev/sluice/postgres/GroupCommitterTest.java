package dev.sluice.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GroupCommitterTest {
  static TestDatabase db;

  @BeforeAll
  static void setUp() throws SQLException {
    db = TestDatabase.create("group_commit", 8);
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE item (v int PRIMARY KEY CHECK (v >= 0))");
    }
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  /** Inserts each item and answers the synchronous_commit setting it ran under. */
  private static List<String> insert(Connection c, List<Integer> items) throws SQLException {
    String mode;
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW synchronous_commit")) {
      rs.next();
      mode = rs.getString(1);
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO item VALUES (?)")) {
      for (int v : items) {
        ps.setInt(1, v);
        ps.addBatch();
      }
      ps.executeBatch();
    }
    List<String> out = new ArrayList<>();
    for (int ignored : items) out.add(mode);
    return out;
  }

  private static boolean stored(int v) throws SQLException {
    try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement("SELECT 1 FROM item WHERE v = ?")) {
      ps.setInt(1, v);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  @Test
  void concurrentCallersShareCommitsAndSeeTheirRowsCommittedWithSynchronousCommitOn() throws Exception {
    try (GroupCommitter<Integer, String> gc = GroupCommitter.<Integer, String>builder(db.dataSource(), GroupCommitterTest::insert)
        .committers(2).maxBatch(100).name("test").build()) {
      int callers = 400;
      CountDownLatch start = new CountDownLatch(1);
      List<CompletableFuture<Boolean>> seen = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        int v = 1_000 + i;
        CompletableFuture<Boolean> f = new CompletableFuture<>();
        seen.add(f);
        Thread.ofVirtual().start(() -> {
          try {
            start.await();
            String mode = gc.submit(v).get(30, TimeUnit.SECONDS);
            f.complete(mode.equals("on") && stored(v));
          } catch (Exception e) {
            f.completeExceptionally(e);
          }
        });
      }
      start.countDown();
      for (CompletableFuture<Boolean> f : seen) assertThat(f.get(60, TimeUnit.SECONDS)).isTrue();
      assertThat(gc.items()).isEqualTo(callers);
      assertThat(gc.batches()).isLessThan(callers);
    }
  }

  @Test
  void aBadItemFailsOnlyItsOwnCaller() throws Exception {
    CountDownLatch hold = new CountDownLatch(1);
    GroupCommitter.BatchWriter<Integer, String> slowFirst = (c, items) -> {
      if (items.contains(-999)) { // the first batch waits so the next items queue up behind it
        try {
          hold.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return insert(c, items);
    };
    try (GroupCommitter<Integer, String> gc = GroupCommitter.<Integer, String>builder(db.dataSource(), slowFirst)
        .committers(1).build()) {
      CompletableFuture<String> first = gc.submit(-999);
      List<CompletableFuture<String>> good = new ArrayList<>();
      for (int v = 1; v <= 5; v++) good.add(gc.submit(v));
      CompletableFuture<String> bad = gc.submit(-5); // violates the CHECK constraint
      for (int v = 6; v <= 9; v++) good.add(gc.submit(v));
      hold.countDown();
      assertThatThrownBy(() -> first.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
      assertThatThrownBy(() -> bad.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(SQLException.class);
      for (CompletableFuture<String> f : good) assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo("on");
      for (int v = 1; v <= 9; v++) assertThat(stored(v)).isTrue();
      assertThat(stored(-5)).isFalse();
    }
  }

  @Test
  void aWriterThrowingARuntimeExceptionFailsOnlyItsOwnCallerAndACancelledItemIsNotWritten() throws Exception {
    CountDownLatch hold = new CountDownLatch(1);
    GroupCommitter.BatchWriter<Integer, String> picky = (c, items) -> {
      if (items.contains(-998)) {
        try {
          hold.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (items.contains(77)) throw new IllegalArgumentException("cannot map item 77");
      return insert(c, items);
    };
    try (GroupCommitter<Integer, String> gc = GroupCommitter.<Integer, String>builder(db.dataSource(), picky)
        .committers(1).build()) {
      CompletableFuture<String> first = gc.submit(-998);
      List<CompletableFuture<String>> good = new ArrayList<>();
      for (int v = 70; v <= 73; v++) good.add(gc.submit(v));
      CompletableFuture<String> bad = gc.submit(77);
      CompletableFuture<String> abandoned = gc.submit(78); // its caller timed out and was answered 503
      abandoned.cancel(false);
      for (int v = 74; v <= 76; v++) good.add(gc.submit(v));
      hold.countDown();
      assertThatThrownBy(() -> first.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
      assertThatThrownBy(() -> bad.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalArgumentException.class);
      for (CompletableFuture<String> f : good) assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo("on");
      for (int v = 70; v <= 76; v++) assertThat(stored(v)).isTrue();
      assertThat(stored(77)).isFalse();
      assertThat(stored(78)).as("a cancelled item is skipped").isFalse();
    }
  }
}
