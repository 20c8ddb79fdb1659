package dev.sluice.queue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import javax.sql.DataSource;

/** JobContext is what a {@link JobHandler} sees of the job it runs and the queue around it. */
public interface JobContext {
  /** The job as claimed (its state is RUNNING, its attempt counts this run). */
  Job job();

  /** The payload parsed as JSON. */
  JsonNode payload();

  /** Records progress on the job row (visible through {@link JobQueue#find}); last write wins. */
  void progress(JsonNode progress);

  /** Records {@code {"done":…, "total":…, "message":…}} as progress. */
  void progress(long done, long total, String message);

  /** The queue's clock. */
  Clock clock();

  /** The queue's data source, e.g. to do the job's own work in a transaction. */
  DataSource dataSource();

  /** The queue itself, e.g. to enqueue follow-up jobs. */
  JobQueue queue();
}
