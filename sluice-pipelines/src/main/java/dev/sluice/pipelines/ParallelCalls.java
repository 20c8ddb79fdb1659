package dev.sluice.pipelines;

import dev.sluice.connectors.ConnectorException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * The destination calls of one batch job: every batch's calls made at once, one virtual thread
 * each, with at most {@code inFlight} calls of the job in flight together (the destination's
 * {@link dev.sluice.connectors.DestinationConnector#maxCallsInFlight}). Each call's connector still
 * takes its own permit of the connection's rate limit and its own slot of a concurrency cap shared
 * by every process (Mailchimp's 10 connections), so running them together never exceeds a limit: a
 * call that gets no permit in time fails alone with RATE_LIMITED. Thread-safe; close it when the
 * job ends (calls still in flight are interrupted).
 */
final class ParallelCalls implements AutoCloseable {
  /** One destination call. */
  interface Call<T> {
    T run() throws ConnectorException;
  }

  /** What one call gave: its value, or the connector's failure. */
  record Answer<T>(T value, ConnectorException failure) {}

  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
  private final Semaphore inFlight;

  ParallelCalls(int inFlight) {
    this.inFlight = new Semaphore(Math.max(1, inFlight), true);
  }

  /** Runs {@code work} on its own virtual thread (a batch's calls, made while the job goes on). */
  <T> Future<T> submit(java.util.concurrent.Callable<T> work) {
    return threads.submit(work);
  }

  /**
   * Runs every call, each once a place in flight is free, and waits for all of them; answers in the
   * calls' order. An error other than a {@link ConnectorException} (a bug, or the job interrupted) is
   * thrown once every call ended.
   */
  <T> List<Answer<T>> run(List<Call<T>> calls) throws InterruptedException {
    List<Future<Answer<T>>> futures = new ArrayList<>(calls.size());
    for (Call<T> call : calls) {
      futures.add(threads.submit(() -> {
        inFlight.acquire();
        try {
          return answer(call);
        } finally {
          inFlight.release();
        }
      }));
    }
    List<Answer<T>> out = new ArrayList<>(calls.size());
    RuntimeException bug = null;
    for (Future<Answer<T>> f : futures) {
      try {
        out.add(f.get());
      } catch (ExecutionException e) {
        if (e.getCause() instanceof Error err) throw err;
        if (bug == null) {
          bug = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
      }
    }
    if (bug != null) throw bug;
    return out;
  }

  /** Interrupts the calls still waiting for an answer and waits for their threads to end. */
  @Override
  public void close() {
    threads.shutdownNow();
    threads.close();
  }

  private static <T> Answer<T> answer(Call<T> call) {
    try {
      return new Answer<>(call.run(), null);
    } catch (ConnectorException e) {
      return new Answer<>(null, e);
    }
  }
}
