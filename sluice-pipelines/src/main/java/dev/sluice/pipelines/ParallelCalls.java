package dev.sluice.pipelines;

import dev.sluice.connectors.ConnectorException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The destination calls of one batch job, made at the same time (one virtual thread each; a single
 * call runs on the caller's thread). Each call's connector still takes its own permit of the
 * connection's rate limit and its own slot of a concurrency cap (Mailchimp's 10 connections), so
 * running them together never exceeds a limit: a call that gets no permit in time fails alone with
 * RATE_LIMITED.
 */
final class ParallelCalls {
  private ParallelCalls() {}

  /** One destination call. */
  interface Call<T> {
    T run() throws ConnectorException;
  }

  /** What one call gave: its value, or the connector's failure. */
  record Answer<T>(T value, ConnectorException failure) {}

  /**
   * Runs every call and waits for all of them, answers in the calls' order. An error other than a
   * {@link ConnectorException} (a bug, or the job interrupted) is thrown once every call ended.
   */
  static <T> List<Answer<T>> run(List<Call<T>> calls) throws InterruptedException {
    if (calls.size() == 1) {
      return List.of(answer(calls.get(0)));
    }
    List<Future<Answer<T>>> futures = new ArrayList<>(calls.size());
    List<Answer<T>> out = new ArrayList<>(calls.size());
    ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    try {
      for (Call<T> call : calls) {
        futures.add(threads.submit(() -> answer(call)));
      }
      for (Future<Answer<T>> f : futures) {
        try {
          out.add(f.get());
        } catch (ExecutionException e) {
          if (e.getCause() instanceof RuntimeException r) throw r;
          if (e.getCause() instanceof Error err) throw err;
          throw new IllegalStateException(e.getCause());
        }
      }
    } catch (InterruptedException | RuntimeException | Error e) {
      threads.shutdownNow(); // interrupts the calls still waiting for an answer
      throw e;
    } finally {
      threads.close();
    }
    return out;
  }

  private static <T> Answer<T> answer(Call<T> call) {
    try {
      return new Answer<>(call.run(), null);
    } catch (ConnectorException e) {
      return new Answer<>(null, e);
    }
  }
}
