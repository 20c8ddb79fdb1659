package dev.sluice.sync;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A PostgreSQL cluster a test owns (the embedded binaries, its data in a temp directory, one port
 * for its whole life), that the test can crash and start again: {@link #crashAndRestart()} is an
 * immediate shutdown (SIGQUIT to the postmaster: no checkpoint, every connection dropped), then a
 * start over the same data on the same port, which runs crash recovery. Durable settings (fsync and
 * synchronous_commit on), as {@code PostgresSource} runs it.
 */
final class ThrowawayPostgres implements AutoCloseable {
  private final Path dataDir;
  private final int port;
  private EmbeddedPostgres server;

  ThrowawayPostgres(Path parent) throws IOException {
    this.dataDir = parent.resolve("pgdata");
    try (ServerSocket s = new ServerSocket(0)) {
      this.port = s.getLocalPort();
    }
    this.server = start();
  }

  private EmbeddedPostgres start() throws IOException {
    return EmbeddedPostgres.builder()
        .setDataDirectory(dataDir)
        .setCleanDataDirectory(false)
        .setPort(port)
        .setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("max_connections", "200")
        .setPGStartupWait(Duration.ofSeconds(60))
        .start();
  }

  /** JDBC URL of the {@code postgres} database; the same across restarts. */
  String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  String user() {
    return "postgres";
  }

  /** Crashes the server (immediate shutdown) and starts it again over the same data and port. */
  void crashAndRestart() throws Exception {
    long pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
    Process kill = new ProcessBuilder("kill", "-QUIT", Long.toString(pid)).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IllegalStateException("kill -QUIT " + pid + " failed");
    }
    ProcessHandle.of(pid).ifPresent(h -> h.onExit().join());
    closeQuietly(); // releases the library's lock on the data directory; its own stop finds nothing to stop
    server = start();
  }

  private void closeQuietly() {
    try {
      server.close();
    } catch (IOException | RuntimeException e) {
      // the server is already down
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
