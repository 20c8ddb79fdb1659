package dev.sluice.queue;

import java.time.Duration;
import java.util.UUID;

/**
 * One job a worker holds under a lease: buffered, then running on a handler thread, until its
 * outcome is recorded or dropped. The flags are set by other threads (heartbeat, NOTIFY listener,
 * watchdog) and read by the handler loop before and after the run.
 */
final class HeldJob {
  final Job job;
  final UUID lease;
  /** System.nanoTime() when the claim that holds it returned (it waits in the buffer from then). */
  final long bufferedNanos = System.nanoTime();
  /** The run-time limit (the job's, else its kind's); null = none. */
  final Duration timeout;
  /** The lease no longer covers this job (rescued, or the lease was): its outcome is dropped. */
  volatile boolean lost;
  /** An operator asked to cancel it: it is not started, or its handler is interrupted. */
  volatile boolean cancelRequested;
  /** Its handler ran past the timeout and was interrupted. */
  volatile boolean timedOut;
  private Thread handler;
  private long startedNanos;

  HeldJob(Job job, UUID lease, Duration timeout) {
    this.job = job;
    this.lease = lease;
    this.timeout = timeout;
  }

  synchronized void started(Thread thread, long nanos) {
    handler = thread;
    startedNanos = nanos;
  }

  /** Called by the handler thread when the handler returned; clears a late interrupt meant for it. */
  synchronized void returned() {
    handler = null;
    Thread.interrupted();
  }

  /**
   * Records that a cancel was requested; true only for the first call. A cancel reaches a worker by
   * NOTIFY and by its next heartbeat, often both: only the first may interrupt the handler (a second
   * interrupt would cut short a handler that is still stopping from the first).
   */
  synchronized boolean requestCancel() {
    if (cancelRequested) return false;
    cancelRequested = true;
    return true;
  }

  /** Interrupts the handler if it is running now. */
  synchronized void interrupt() {
    if (handler != null) handler.interrupt();
  }

  /** Interrupts the handler once it has run longer than its timeout; true when it did so now. */
  synchronized boolean interruptIfOverdue(long nowNanos) {
    if (handler == null || timeout == null || timedOut) return false;
    if (nowNanos - startedNanos < timeout.toNanos()) return false;
    timedOut = true;
    handler.interrupt();
    return true;
  }
}
