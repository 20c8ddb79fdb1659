package dev.sluice.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link PipelineBenchmark} measures.
 *
 * @param records                 mirror contacts pushed to the sandbox Salesforce, then to Mailchimp
 * @param workers                 worker concurrency of the Sluice worker running the batch jobs
 * @param databaseUrl             the server to use; null or blank = the embedded one
 * @param home                    Sluice's data folder; the embedded bench server keeps its data under it
 * @param sandboxCommand          how to run {@code sluice} for a child-process sandbox; null runs the
 *                                sandbox inside the bench JVM
 */
public record PipelineBenchOptions(int records, int workers, String databaseUrl, Path home,
    List<String> sandboxCommand) {
  public static final int DEFAULT_RECORDS = 100_000;
  public static final int DEFAULT_WORKERS = 4;

  public PipelineBenchOptions {
    if (records < 1 || records > 5_000_000) throw new IllegalArgumentException("--records must be between 1 and 5000000");
    if (workers < 1) throw new IllegalArgumentException("--workers must be at least 1");
    if (home == null) throw new IllegalArgumentException("home is required");
    if (sandboxCommand != null) {
      if (sandboxCommand.isEmpty()) throw new IllegalArgumentException("sandboxCommand must not be empty");
      sandboxCommand = List.copyOf(sandboxCommand);
    }
  }
}
