package dev.sluice.queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Runs one held job's handler for a {@link WorkerRuntime} and turns what happened (return, snooze,
 * permanent failure, exception, timeout, cancel) into the job's outcome, with its error text made
 * storable.
 */
final class JobRun {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Longest error text and stack kept on a job row. */
  static final int MAX_ERROR_CHARS = 2_000;
  static final int MAX_STACK_CHARS = 8_000;

  private final JobQueue queue;
  private final PostgresJobStore store;
  private final Clock clock;
  private final String workerId;
  private final Map<String, JobHandler> handlers;
  /** The kind policies as last read by the worker (their retry policies). */
  private final Supplier<WorkerKinds> policies;

  JobRun(JobQueue queue, String workerId, Map<String, JobHandler> handlers, Supplier<WorkerKinds> policies) {
    this.queue = queue;
    this.store = queue.store();
    this.clock = queue.clock();
    this.workerId = workerId;
    this.handlers = handlers;
    this.policies = policies;
  }

  JobStore.Completion run(HeldJob h) {
    Job job = h.job;
    JobHandler handler = handlers.get(job.kind());
    Throwable failure;
    try {
      if (handler == null) throw new PermanentJobFailure("no handler for kind '" + job.kind() + "' in worker " + workerId);
      handler.handle(new Context(h));
      failure = null;
    } catch (JobSnooze s) {
      if (!h.timedOut && !h.cancelRequested) return JobStore.Completion.of(job, h.lease, JobState.READY, clock.instant().plus(s.waitTime()), null, null);
      failure = s;
    } catch (PermanentJobFailure f) {
      if (!h.timedOut && !h.cancelRequested) return JobStore.Completion.of(job, h.lease, JobState.DEAD, null, errorText(f), stackText(f));
      failure = f;
    } catch (Throwable t) {
      failure = t;
    }
    if (h.cancelRequested) {
      return JobStore.Completion.of(job, h.lease, JobState.CANCELLED, null, "cancelled while running", null);
    }
    if (h.timedOut) {
      failure = new JobTimeoutException(job, h.timeout, failure);
    }
    if (failure == null) return JobStore.Completion.ok(job, h.lease);
    RetryPolicy retry = policies.get().policy(job.kind()).retry();
    if (job.attempt() >= job.maxAttempts()) {
      return JobStore.Completion.of(job, h.lease, JobState.DEAD, null, errorText(failure), stackText(failure));
    }
    Instant next = clock.instant().plus(retry.delay(job.attempt(), ThreadLocalRandom.current()));
    return JobStore.Completion.of(job, h.lease, JobState.RETRYABLE, next, errorText(failure), stackText(failure));
  }

  /** The failure recorded for a handler interrupted at its timeout (whatever it did afterwards). */
  static final class JobTimeoutException extends RuntimeException {
    JobTimeoutException(Job job, Duration timeout, Throwable cause) {
      super("timed out: job " + job.id() + " ran longer than its timeout of " + timeout + " and was interrupted", cause);
    }
  }

  static String errorText(Throwable t) {
    String text = t instanceof PermanentJobFailure || t instanceof JobTimeoutException ? String.valueOf(t.getMessage())
        : t.getClass().getName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    return storable(text.length() > MAX_ERROR_CHARS ? text.substring(0, MAX_ERROR_CHARS) : text);
  }

  static String stackText(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    String s = w.toString();
    return storable(s.length() > MAX_STACK_CHARS ? s.substring(0, MAX_STACK_CHARS) : s);
  }

  /** PostgreSQL text cannot hold U+0000 (an error message quoting a vendor's body may): U+FFFD instead. */
  static String storable(String text) {
    return text.replace('\0', '\uFFFD');
  }

  private final class Context implements JobContext {
    private final Job job;
    private final UUID lease;
    private JsonNode payload;

    Context(HeldJob h) {
      this.job = h.job;
      this.lease = h.lease;
    }

    @Override
    public Job job() {
      return job;
    }

    @Override
    public JsonNode payload() {
      if (payload == null) {
        try {
          payload = JSON.readTree(job.payload());
        } catch (java.io.IOException e) {
          throw new PermanentJobFailure("payload of job " + job.id() + " is not JSON: " + e.getMessage(), e);
        }
      }
      return payload;
    }

    @Override
    public void progress(JsonNode progress) {
      try {
        store.progress(job.id(), lease, JSON.writeValueAsString(progress), clock.instant());
      } catch (SQLException | com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new JobQueueException("recording progress of job " + job.id() + " failed: " + e.getMessage(), e);
      }
    }

    @Override
    public void progress(long done, long total, String message) {
      ObjectNode p = JSON.createObjectNode();
      p.put("done", done);
      p.put("total", total);
      if (message != null) p.put("message", message);
      progress(p);
    }

    @Override
    public Clock clock() {
      return clock;
    }

    @Override
    public DataSource dataSource() {
      return queue.dataSource();
    }

    @Override
    public JobQueue queue() {
      return queue;
    }
  }
}
