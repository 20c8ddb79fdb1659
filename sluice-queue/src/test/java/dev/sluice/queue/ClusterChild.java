package dev.sluice.queue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Main class of the child processes of the cluster tests. Usage:
 * {@code ClusterChild <mode> <jdbcUrl> <user> <schema> [args…]}; prints "ready", waits for "go" on
 * stdin, does its part, and stops gracefully when stdin closes.
 *
 * <ul>
 *   <li>{@code work <concurrency> <rescueAfterMs>}: works kind "unit", recording every execution
 *       (job id, pid) in {@code execution}.
 *   <li>{@code capped <concurrency>}: works kind "capped", recording each run's start and end
 *       (database clock) in {@code run_interval}.
 *   <li>{@code dedupe <keys>}: enqueues keys 0…n-1 in shuffled order, recording each answer in
 *       {@code dedupe_answer}, then prints "done".
 * </ul>
 */
public final class ClusterChild {
  public static void main(String[] args) throws Exception {
    String mode = args[0];
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(args[1]);
    config.setUsername(args[2]);
    // Handlers use the pool too: leave room for the worker's own claimer, completer, listener and heartbeat.
    config.setMaximumPoolSize(args.length > 4 && !mode.equals("dedupe") ? Integer.parseInt(args[4]) + 6 : 6);
    config.setMinimumIdle(2);
    // The test records executions from every handler; an OS crash is not what we test.
    config.setConnectionInitSql("SET synchronous_commit = off");
    String schema = args[3];
    long pid = ProcessHandle.current().pid();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    try (HikariDataSource ds = new HikariDataSource(config)) {
      switch (mode) {
        case "work" -> {
          JobQueue q = JobQueue.builder(ds).schema(schema).rescueAfter(Duration.ofMillis(Long.parseLong(args[5]))).build();
          try (JobWorker w = q.worker().concurrency(Integer.parseInt(args[4])).claimBatchSize(100)
              .heartbeatInterval(Duration.ofMillis(500)).rescueInterval(Duration.ofSeconds(1))
              .pollInterval(Duration.ofMillis(100))
              .handle("unit", ctx -> {
                try (Connection c = ctx.dataSource().getConnection();
                     PreparedStatement ps = c.prepareStatement("INSERT INTO public.execution (job_id, pid) VALUES (?, ?)")) {
                  ps.setLong(1, ctx.job().id());
                  ps.setLong(2, pid);
                  ps.executeUpdate();
                }
              }).start()) {
            System.out.println("@ready");
            System.out.flush();
            while (in.readLine() != null) {
              // run until stdin closes
            }
          }
        }
        case "capped" -> {
          JobQueue q = JobQueue.builder(ds).schema(schema).build();
          try (JobWorker w = q.worker().concurrency(Integer.parseInt(args[4])).pollInterval(Duration.ofMillis(50))
              .handle("capped", ctx -> {
                try (Connection c = ctx.dataSource().getConnection()) {
                  long row;
                  try (PreparedStatement ps = c.prepareStatement(
                      "INSERT INTO public.run_interval (job_id, concurrency_key, pid, started) VALUES (?, ?, ?, clock_timestamp()) RETURNING id")) {
                    ps.setLong(1, ctx.job().id());
                    ps.setString(2, ctx.job().concurrencyKey());
                    ps.setLong(3, pid);
                    try (var rs = ps.executeQuery()) {
                      rs.next();
                      row = rs.getLong(1);
                    }
                  }
                  Thread.sleep(5); // the "work": long enough for runs to overlap if the cap let them
                  try (PreparedStatement ps = c.prepareStatement("UPDATE public.run_interval SET ended = clock_timestamp() WHERE id = ?")) {
                    ps.setLong(1, row);
                    ps.executeUpdate();
                  }
                }
              }).start()) {
            System.out.println("@ready");
            System.out.flush();
            while (in.readLine() != null) {
              // run until stdin closes
            }
          }
        }
        case "dedupe" -> {
          JobQueue q = JobQueue.builder(ds).schema(schema).build();
          int keys = Integer.parseInt(args[4]);
          List<Integer> order = new ArrayList<>();
          for (int i = 0; i < keys; i++) order.add(i);
          Collections.shuffle(order);
          System.out.println("@ready");
          System.out.flush();
          in.readLine(); // "go"
          try (Connection c = ds.getConnection();
               PreparedStatement ps = c.prepareStatement("INSERT INTO public.dedupe_answer (pid, key, job_id, created) VALUES (?, ?, ?, ?)")) {
            for (int k : order) {
              EnqueueResult r = q.enqueue(NewJob.builder("deduped").dedupeKey("key-" + k).payload("{\"pid\":" + pid + "}").build());
              ps.setLong(1, pid);
              ps.setString(2, "key-" + k);
              ps.setLong(3, r.id());
              ps.setBoolean(4, r.created());
              ps.executeUpdate();
            }
          }
          System.out.println("@done");
          System.out.flush();
          while (in.readLine() != null) {
            // wait to be told to stop
          }
        }
        default -> throw new IllegalArgumentException("unknown mode " + mode);
      }
    }
  }
}
