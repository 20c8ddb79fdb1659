package dev.sluice.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Posts leads to {@code POST /v1/leads} the way a campaign spike does: new addresses with a share
 * of repeats, from many concurrent clients (closed loop) or at a fixed rate (open loop, latency
 * measured from each request's scheduled time so a stall counts against the server). Thread-safe.
 */
public final class LeadLoad {
  /** Share of submissions that repeat an address already sent. */
  static final double REPEAT_SHARE = 0.10;

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private final BenchHttp http;
  private final String keyHeader;
  private final String prefix;
  private final AtomicLong next = new AtomicLong();
  /** Addresses answered 202, lower-cased: the leads that must reach the CRM exactly once. */
  private final Set<String> acked = ConcurrentHashMap.newKeySet();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();

  /** @param prefix makes this load's addresses unique (e.g. the phase name) */
  LeadLoad(BenchHttp http, String key, String prefix) {
    this.http = http;
    this.keyHeader = "X-Sluice-Lead-Key: " + key;
    this.prefix = prefix;
  }

  /** One submission; returns the ack latency in ms, or NaN when it was not answered 202. */
  double postOne(long scheduledNanos) {
    long n = next.getAndIncrement();
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long id = n > 10 && r.nextDouble() < REPEAT_SHARE ? r.nextLong(n) : n;
    String email = prefix + "." + id + "@example.com";
    String body = "{\"email\":\"" + email + "\",\"firstname\":\"First" + n + "\",\"lastname\":\"Last" + n
        + "\",\"company\":\"Company " + (id % 997) + "\"}";
    try {
      BenchHttp.Response resp = http.post("/v1/leads", body.getBytes(StandardCharsets.UTF_8), TIMEOUT,
          "Content-Type: application/json", keyHeader);
      double ms = (System.nanoTime() - scheduledNanos) / 1e6;
      if (resp.status() == 202) {
        acked.add(email);
        accepted.incrementAndGet();
        return ms;
      }
    } catch (java.io.IOException e) {
      // counted below: not acknowledged
    }
    failed.incrementAndGet();
    return Double.NaN;
  }

  /** {@code clients} loops posting back to back for {@code length}; returns the 202s per second. */
  double closedLoop(int clients, Duration length) throws InterruptedException {
    long before = accepted.get();
    long end = System.nanoTime() + length.toNanos();
    List<Thread> threads = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < clients; i++) {
      threads.add(Thread.ofVirtual().start(() -> {
        while (System.nanoTime() < end) postOne(System.nanoTime());
      }));
    }
    for (Thread t : threads) t.join();
    return (accepted.get() - before) / ((System.nanoTime() - start) / 1e9);
  }

  /**
   * Per request of the last {@link #openLoop}: ms from its scheduled time until its thread began to
   * send (the load client's own lag: a tail here is the client's, not the server's).
   */
  private double[] sendLags = new double[0];

  /** {@code perSecond} submissions a second for {@code length}; returns each ack's latency in ms (NaN = not acked). */
  double[] openLoop(int perSecond, Duration length) throws InterruptedException {
    int total = (int) (perSecond * length.toMillis() / 1000);
    double[] latencies = new double[total];
    double[] lags = new double[total];
    sendLags = lags;
    Thread[] threads = new Thread[total];
    long gap = 1_000_000_000L / perSecond;
    long start = System.nanoTime() + 5_000_000;
    for (int i = 0; i < total; i++) {
      long at = start + i * gap;
      long wait = at - System.nanoTime();
      if (wait > 0) LockSupport.parkNanos(wait);
      int slot = i;
      threads[i] = Thread.ofVirtual().start(() -> {
        lags[slot] = (System.nanoTime() - at) / 1e6;
        latencies[slot] = postOne(at);
      });
    }
    for (Thread t : threads) t.join();
    return latencies;
  }

  double[] sendLags() {
    return sendLags;
  }

  public Set<String> acked() {
    return acked;
  }

  public long accepted() {
    return accepted.get();
  }

  public long failed() {
    return failed.get();
  }
}
