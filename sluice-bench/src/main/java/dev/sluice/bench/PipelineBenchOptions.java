package dev.sluice.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link PipelineBenchmark} measures.
 *
 * @param records                 mirror contacts pushed to the sandbox Salesforce
 * @param workers                 worker concurrency of the Sluice worker running the batch jobs
 * @param salesforceRequestsPer10s the Salesforce connection's write limit for the run, in place of its
 *                                rolling 24 h allocation (which a run of a few hundred calls never
 *                                reaches, so no limit would bind): the ceiling is derived from it
 * @param databaseUrl             the server to use; null or blank = the embedded one
 * @param home                    Sluice's data folder; the embedded bench server keeps its data under it
 * @param sandboxCommand          how to run {@code sluice} for a child-process sandbox; null runs the
 *                                sandbox inside the bench JVM
 */
public record PipelineBenchOptions(int records, int workers, int salesforceRequestsPer10s, String databaseUrl, Path home,
    List<String> sandboxCommand) {
  public static final int DEFAULT_RECORDS = 100_000;
  public static final int DEFAULT_WORKERS = 4;
  public static final int DEFAULT_SALESFORCE_REQUESTS_PER_10S = 25;

  public PipelineBenchOptions {
    if (records < 1 || records > 5_000_000) throw new IllegalArgumentException("--records must be between 1 and 5000000");
    if (workers < 1) throw new IllegalArgumentException("--workers must be at least 1");
    if (salesforceRequestsPer10s < 1) throw new IllegalArgumentException("--salesforce-requests-per-10s must be at least 1");
    if (home == null) throw new IllegalArgumentException("home is required");
    if (sandboxCommand != null) {
      if (sandboxCommand.isEmpty()) throw new IllegalArgumentException("sandboxCommand must not be empty");
      sandboxCommand = List.copyOf(sandboxCommand);
    }
  }
}
