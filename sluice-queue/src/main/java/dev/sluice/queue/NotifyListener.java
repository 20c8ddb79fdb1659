package dev.sluice.queue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The LISTEN thread of a {@link WorkerRuntime}: holds one connection listening on the queue's
 * channel and passes on what arrives (a wake-up, a cancel, a pause). Enqueue notices of the
 * worker's own queue are skipped: that queue woke the worker in-process at commit.
 */
final class NotifyListener {
  private static final Logger log = LoggerFactory.getLogger(NotifyListener.class);
  /** How long one wait for notifications lasts before the thread checks whether it should stop. */
  static final int WAIT_MILLIS = 250;

  /** What the worker does with what arrives. */
  interface Notices {
    /** Something may be runnable (an enqueue elsewhere, a retry, a rescue, room under a cap). */
    void wake();

    /** A cancel of job {@code id} was requested. */
    void cancel(long id);

    /** A kind was paused. */
    void paused();
  }

  private final DataSource dataSource;
  private final String channel;
  /** Payload prefix of the enqueue notices of this worker's own queue. */
  private final String ownNotices;
  private final String workerId;
  private final Notices notices;
  private final Thread thread;
  private volatile boolean listening = true;

  NotifyListener(JobQueue queue, String workerId, Notices notices) {
    this.dataSource = queue.dataSource();
    this.channel = queue.store().channel();
    this.ownNotices = PostgresJobStore.wokenNotice(queue.origin(), "");
    this.workerId = workerId;
    this.notices = notices;
    this.thread = Thread.ofPlatform().daemon().name("sluice-listener").unstarted(this::listenLoop);
  }

  void start() {
    thread.start();
  }

  /** Stops listening, within {@link #WAIT_MILLIS}. */
  void stop() {
    listening = false;
  }

  /** Waits up to {@code timeout} for the thread to end after {@link #stop()}. */
  void join(Duration timeout) {
    WorkerRuntime.join(thread, timeout);
  }

  private void listenLoop() {
    while (listening) {
      try (Connection c = dataSource.getConnection()) {
        if (!c.getAutoCommit()) c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
          // The channel is an identifier derived from the validated schema name, not a value.
          s.execute("LISTEN " + channel);
        }
        PGConnection pg = c.unwrap(PGConnection.class);
        notices.wake(); // anything enqueued before LISTEN took effect
        while (listening) {
          PGNotification[] notes = pg.getNotifications(WAIT_MILLIS);
          if (notes != null && notes.length > 0) pass(notes);
        }
      } catch (SQLException | RuntimeException e) {
        if (!listening) return;
        log.warn("worker {}: LISTEN connection failed, polling until it is back: {}", workerId, e.getMessage());
        LockSupport.parkNanos(WorkerRuntime.ERROR_BACKOFF.toNanos());
      }
    }
  }

  private void pass(PGNotification[] notes) {
    boolean pause = false;
    boolean wake = false;
    for (PGNotification n : notes) {
      String payload = n.getParameter();
      if (payload.startsWith(ownNotices)) continue; // its enqueue woke this worker at commit
      wake = true;
      if (payload.startsWith(PostgresJobStore.CANCEL_NOTICE_PREFIX)) {
        try {
          notices.cancel(Long.parseLong(payload.substring(PostgresJobStore.CANCEL_NOTICE_PREFIX.length())));
        } catch (NumberFormatException ignored) {
          // not ours
        }
      } else if (payload.startsWith(PostgresJobStore.PAUSE_NOTICE_PREFIX)) {
        pause = true;
      }
    }
    if (pause) notices.paused();
    if (wake) notices.wake();
  }
}
