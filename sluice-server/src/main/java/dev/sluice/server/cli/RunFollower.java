package dev.sluice.server.cli;

import dev.sluice.sync.SyncEngine;
import dev.sluice.sync.SyncEvent;
import dev.sluice.sync.SyncEventType;
import dev.sluice.sync.SyncRun;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

/**
 * Follows one run in this process until it reaches a final status, drawing its progress and
 * counting the rate-limit snoozes in its event log.
 */
final class RunFollower {
  /** How often the run is read again while it is active. */
  static final Duration POLL_INTERVAL = Duration.ofMillis(250);

  private final SyncEngine engine;
  private final RunProgress progress;
  private long afterSeq;
  private long snoozes;

  RunFollower(SyncEngine engine, RunProgress progress) {
    this.engine = engine;
    this.progress = progress;
  }

  /**
   * Blocks until run {@code id} is no longer pending, processing or retrying and returns its final
   * snapshot. {@code note} turns the snooze count into the text shown after the request count.
   */
  SyncRun follow(long id, Map<String, Long> expected, Function<Long, String> note) throws InterruptedException {
    while (true) {
      for (SyncEvent e : engine.events(id, afterSeq)) {
        if (e.type() == SyncEventType.SNOOZE) snoozes++;
        afterSeq = e.seq();
      }
      SyncRun run = engine.find(id).orElseThrow(() -> new IllegalStateException("run " + id + " disappeared"));
      progress.show(run, expected, note.apply(snoozes));
      if (!run.status().active()) {
        progress.finish();
        return run;
      }
      Thread.sleep(POLL_INTERVAL.toMillis());
    }
  }

  /** Rate-limit snoozes seen in the run's log so far. */
  long snoozes() {
    return snoozes;
  }
}
