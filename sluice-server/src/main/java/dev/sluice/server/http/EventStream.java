package dev.sluice.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.sync.SyncEngine;
import dev.sluice.sync.SyncEvent;
import dev.sluice.sync.SyncRun;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;

/**
 * Follows a run's event log live as server-sent events ({@code Accept: text/event-stream}). Each
 * event is sent as {@code id: <seq>}, {@code event: <type>}, {@code data: <event JSON>}; a client
 * that reconnects with {@code Last-Event-ID} continues after that event. When the run reaches a
 * final status and its log is drained, an {@code end} event with the status closes the stream.
 *
 * <p>The handler runs on its own virtual thread and polls the log: one indexed query per
 * {@link #POLL_INTERVAL} per open stream, which keeps the database the only source of truth
 * (an event written by any worker process shows up). At most {@link ApiServer.StreamLimits#maxStreams}
 * streams are open at once (503 with Retry-After beyond), and each lasts at most
 * {@link ApiServer.StreamLimits#maxLifetime}; it then closes without an end event, and the client
 * reconnects with Last-Event-ID.
 */
final class EventStream {
  /** How often an open stream looks for new events. */
  static final Duration POLL_INTERVAL = Duration.ofMillis(250);
  /** A comment line this often keeps proxies from closing an idle stream and detects gone clients. */
  static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(15);

  private final SyncEngine engine;
  private final RunJson wire;
  private final ObjectMapper json;
  private final ApiServer.StreamLimits limits;
  private final Semaphore open;

  EventStream(SyncEngine engine, RunJson wire, ObjectMapper json, ApiServer.StreamLimits limits) {
    this.engine = engine;
    this.wire = wire;
    this.json = json;
    this.limits = limits;
    this.open = new Semaphore(limits.maxStreams());
  }

  void stream(Context ctx, long runId) throws IOException, InterruptedException {
    if (engine.find(runId).isEmpty()) throw ApiError.notFound("no sync run " + runId);
    long after = startAfter(ctx);
    if (!open.tryAcquire()) {
      ctx.header("Retry-After", "5");
      throw new ApiError(503, "too many event streams are open (" + limits.maxStreams()
          + "); retry later, or read the log as JSON without Accept: text/event-stream");
    }
    try {
      follow(ctx, runId, after);
    } finally {
      open.release();
    }
  }

  private void follow(Context ctx, long runId, long after) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + limits.maxLifetime().toNanos();
    ctx.status(200);
    ctx.res().setContentType("text/event-stream;charset=utf-8");
    ctx.res().setHeader("Cache-Control", "no-store");
    ctx.res().setHeader("X-Accel-Buffering", "no");
    OutputStream out = ctx.res().getOutputStream();
    write(out, ": following run " + runId + "\n\n");
    long lastWrite = System.nanoTime();
    boolean finalSeen = false;
    while (true) {
      List<SyncEvent> events = engine.events(runId, after);
      for (SyncEvent e : events) {
        write(out, "id: " + e.seq() + "\nevent: " + e.type().wire() + "\ndata: " + json.writeValueAsString(wire.event(e)) + "\n\n");
        after = e.seq();
        lastWrite = System.nanoTime();
      }
      if (!events.isEmpty()) continue;
      if (finalSeen) break;
      Optional<SyncRun> run = engine.find(runId);
      // Read the log once more after seeing a final status: its last events may have committed
      // between the two queries above.
      if (run.isEmpty() || !run.get().status().active()) {
        finalSeen = true;
        continue;
      }
      if (System.nanoTime() - deadline > 0) {
        // No end event: the client reconnects with Last-Event-ID and continues where it was.
        write(out, ": this stream reached its maximum lifetime; reconnect with Last-Event-ID\n\n");
        return;
      }
      if (System.nanoTime() - lastWrite > HEARTBEAT_INTERVAL.toNanos()) {
        write(out, ": keep-alive\n\n");
        lastWrite = System.nanoTime();
      }
      Thread.sleep(POLL_INTERVAL.toMillis());
    }
    String status = engine.find(runId).map(r -> r.status().wire()).orElse("unknown");
    write(out, "event: end\ndata: " + json.writeValueAsString(json.createObjectNode().put("run_id", runId).put("status", status)) + "\n\n");
  }

  private static long startAfter(Context ctx) {
    String lastId = ctx.header("Last-Event-ID");
    if (lastId != null && !lastId.isBlank()) return SyncRunRoutes.longParam("Last-Event-ID", lastId, 0, Long.MAX_VALUE);
    String after = ctx.queryParam("after");
    return after == null || after.isBlank() ? 0 : SyncRunRoutes.longParam("after", after, 0, Long.MAX_VALUE);
  }

  private static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
