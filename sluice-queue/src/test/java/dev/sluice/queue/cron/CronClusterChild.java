package dev.sluice.queue.cron;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.sluice.queue.JobQueue;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * One process of {@link CronClusterTest}: waits until every sibling is ready, then runs scheduler
 * passes at the same fixed sequence of instants as its siblings (one per minute from {@code start}),
 * as fast as it can, and prints how many ticks it fired itself.
 *
 * <p>Arguments: jdbcUrl user schema startInstant minutes childId siblings.
 */
public final class CronClusterChild {
  private CronClusterChild() {
  }

  public static void main(String[] args) throws Exception {
    String jdbcUrl = args[0];
    String user = args[1];
    String schema = args[2];
    Instant start = Instant.parse(args[3]);
    int minutes = Integer.parseInt(args[4]);
    int childId = Integer.parseInt(args[5]);
    int siblings = Integer.parseInt(args[6]);
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setUsername(user);
    config.setMaximumPoolSize(3);
    try (HikariDataSource ds = new HikariDataSource(config)) {
      JobQueue queue = JobQueue.builder(ds).schema(schema).build();
      CronScheduler cron = new CronScheduler(queue, ds, schema, Clock.systemUTC());
      awaitSiblings(ds, childId, siblings);
      int firedHere = 0;
      for (int m = 0; m <= minutes; m++) {
        // each pass is at a tick instant or a little after it, as a real loop would be
        firedHere += cron.tick(start.plus(Duration.ofMinutes(m))).size();
        firedHere += cron.tick(start.plus(Duration.ofMinutes(m)).plusMillis(500)).size();
      }
      System.out.println("fired " + firedHere);
    }
  }

  private static void awaitSiblings(HikariDataSource ds, int childId, int siblings) throws Exception {
    try (Connection c = ds.getConnection()) {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO cron_child_ready (child) VALUES (?)")) {
        ps.setInt(1, childId);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM cron_child_ready")) {
        while (true) {
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            if (rs.getInt(1) >= siblings) return;
          }
          Thread.sleep(5);
        }
      }
    }
  }
}
