package dev.sluice.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link SyncBenchmark} measures.
 *
 * @param contacts       contacts generated in the sandbox portal (and synced)
 * @param workers        worker concurrency of the Sluice worker running the page jobs
 * @param databaseUrl    the server to sync into; null or blank = the embedded one
 * @param home           Sluice's data folder; the embedded bench server keeps its data under it
 * @param sandboxCommand how to run {@code sluice} for a child-process sandbox (e.g.
 *                       {@code [java, -jar, sluice.jar]}, see {@link SluiceLauncher}); null runs the
 *                       sandbox inside the bench JVM (its memory then counts in the bench's RSS)
 */
public record SyncBenchOptions(int contacts, int workers, String databaseUrl, Path home, List<String> sandboxCommand) {
  public static final int DEFAULT_CONTACTS = 200_000;
  public static final int DEFAULT_WORKERS = 8;

  public SyncBenchOptions {
    if (contacts < 1) throw new IllegalArgumentException("--contacts must be at least 1");
    if (workers < 1) throw new IllegalArgumentException("--workers must be at least 1");
    if (home == null) throw new IllegalArgumentException("home is required");
    if (sandboxCommand != null) {
      if (sandboxCommand.isEmpty()) throw new IllegalArgumentException("sandboxCommand must not be empty");
      sandboxCommand = List.copyOf(sandboxCommand);
    }
  }

  /** Whether the sandbox runs in a child process. */
  public boolean childSandbox() {
    return sandboxCommand != null;
  }
}
