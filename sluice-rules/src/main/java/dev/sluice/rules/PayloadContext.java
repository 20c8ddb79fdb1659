package dev.sluice.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.queue.Job;
import dev.sluice.queue.JobContext;
import dev.sluice.queue.JobQueue;
import java.io.IOException;
import java.time.Clock;
import javax.sql.DataSource;

/** A job's context with another payload: a debounced job runs with its latest evaluation's payload. */
final class PayloadContext implements JobContext {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final JobContext inner;
  private final JsonNode payload;

  PayloadContext(JobContext inner, String payload) {
    this.inner = inner;
    try {
      this.payload = JSON.readTree(payload);
    } catch (IOException e) {
      throw new IllegalStateException("a debounced payload is not JSON", e);
    }
  }

  @Override public Job job() { return inner.job(); }
  @Override public JsonNode payload() { return payload; }
  @Override public void progress(JsonNode progress) { inner.progress(progress); }
  @Override public void progress(long done, long total, String message) { inner.progress(done, total, message); }
  @Override public Clock clock() { return inner.clock(); }
  @Override public DataSource dataSource() { return inner.dataSource(); }
  @Override public JobQueue queue() { return inner.queue(); }
}
