package dev.sluice.server.cli;

import dev.sluice.leads.LeadCounts;
import dev.sluice.leads.LeadState;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import dev.sluice.sandbox.hubspot.HubSpotSandbox;
import dev.sluice.server.runtime.SluiceRuntime;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The demo's lead step: a campaign burst of leads (with repeats) posted to {@code POST /v1/leads}
 * by concurrent clients, each answered after its commit; then the drain into the sandbox HubSpot at
 * its rate limit with a progress bar; then every acknowledged address counted in the CRM.
 */
final class LeadDemo {
  /** The demo's lead source, its key and the share of submissions repeating an address. */
  static final String SOURCE = "demo-form";
  static final String KEY = "lk_demo_form_public_key_0001";
  static final int CLIENTS = 32;
  static final double REPEATS = 0.10;
  static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(5);

  private final PrintStream out;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  LeadDemo(PrintStream out) {
    this.out = out;
  }

  /** The {@code leads:} section the demo's config needs for its source draining into {@code connection}. */
  static String configSection(String connection) {
    return """
        leads:
          sources:
            %s:
              key: %s
              destination: %s
              per_ip_per_minute: 0
        """.formatted(SOURCE, KEY, connection);
  }

  /** Posts {@code leads} submissions, waits for the drain, checks the CRM; true when every check passed. */
  boolean run(URI server, SluiceRuntime runtime, HubSpotSandbox hubspot, int leads) throws Exception {
    AtomicInteger next = new AtomicInteger();
    Set<String> acked = ConcurrentHashMap.newKeySet();
    AtomicInteger refused = new AtomicInteger();
    List<Long> ackNanos = java.util.Collections.synchronizedList(new ArrayList<>());
    long started = System.nanoTime();
    List<Thread> clients = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      clients.add(Thread.ofVirtual().start(() -> {
        int i;
        while ((i = next.getAndIncrement()) < leads) {
          int id = i > 10 && ThreadLocalRandom.current().nextDouble() < REPEATS ? ThreadLocalRandom.current().nextInt(i) : i;
          String email = "lead" + id + "@campaign.example";
          String body = String.format(Locale.ROOT, "{\"email\":\"%s\",\"firstname\":\"Lead\",\"lastname\":\"No. %d\",\"company\":\"Company %d\"}",
              email, id, id % 50);
          HttpRequest req = HttpRequest.newBuilder(server.resolve("/v1/leads")).timeout(Duration.ofSeconds(30))
              .header("Content-Type", "application/json").header("X-Sluice-Lead-Key", KEY)
              .POST(HttpRequest.BodyPublishers.ofString(body)).build();
          long t0 = System.nanoTime();
          try {
            if (http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 202) {
              acked.add(email);
              ackNanos.add(System.nanoTime() - t0);
            } else {
              refused.incrementAndGet();
            }
          } catch (Exception e) {
            refused.incrementAndGet();
          }
        }
      }));
    }
    for (Thread t : clients) t.join();
    double seconds = (System.nanoTime() - started) / 1e9;
    long[] sorted = ackNanos.stream().mapToLong(Long::longValue).sorted().toArray();
    double p99 = sorted.length == 0 ? Double.NaN : sorted[Math.max(0, (int) Math.ceil(sorted.length * 0.99) - 1)] / 1e6;
    out.printf(Locale.ROOT, "     %,d submissions (%,d distinct addresses) from %d clients in %.1f s = %,.0f/s, ack p99 %.1f ms, %d refused%n",
        leads, acked.size(), CLIENTS, seconds, leads / seconds, p99, refused.get());

    RunProgress progress = RunProgress.onStderr();
    long drainStart = System.nanoTime();
    long deadline = drainStart + DRAIN_TIMEOUT.toNanos();
    LeadCounts counts;
    while (true) {
      counts = runtime.leads().counts();
      Map<LeadState, Long> c = counts.bySource().getOrDefault(SOURCE, Map.of());
      long done = c.getOrDefault(LeadState.SENT, 0L) + c.getOrDefault(LeadState.REJECTED, 0L);
      long waiting = c.getOrDefault(LeadState.RECEIVED, 0L) + c.getOrDefault(LeadState.SENDING, 0L) + c.getOrDefault(LeadState.RETRYING, 0L);
      boolean last = waiting == 0 || System.nanoTime() > deadline;
      progress.show(String.format(Locale.ROOT, "     drain %s %,d/%,d leads sent, %,.0f leads/s", RunProgress.bar(done, done + waiting), done,
          done + waiting, done / Math.max(0.001, (System.nanoTime() - started) / 1e9)), last); // the drain starts with the first lead
      if (last) break;
      Thread.sleep(250);
    }
    progress.finish();
    double drainSeconds = (System.nanoTime() - started) / 1e9;
    Map<LeadState, Long> c = counts.bySource().getOrDefault(SOURCE, Map.of());
    out.printf(Locale.ROOT, "     all out %.1f s after the first post (the drain runs while leads arrive), within the limit of %d requests / 10 s"
        + " x 100 per batch: %,d sent, %,d rejected, %,d waiting%n",
        drainSeconds, dev.sluice.sandbox.hubspot.HubSpotTier.PROFESSIONAL.perTenSeconds(), c.getOrDefault(LeadState.SENT, 0L),
        c.getOrDefault(LeadState.REJECTED, 0L), c.getOrDefault(LeadState.RECEIVED, 0L) + c.getOrDefault(LeadState.SENDING, 0L)
            + c.getOrDefault(LeadState.RETRYING, 0L));

    Map<String, Integer> inCrm = new HashMap<>();
    for (String id : hubspot.ids(HubSpotObjectType.CONTACTS)) {
      hubspot.record(HubSpotObjectType.CONTACTS, id).ifPresent(r -> {
        String e = r.property("email");
        if (e != null && e.endsWith("@campaign.example")) inCrm.merge(e, 1, Integer::sum);
      });
    }
    long missing = acked.stream().filter(e -> !inCrm.containsKey(e)).count();
    long duplicated = inCrm.values().stream().filter(n -> n > 1).count();
    boolean ok = missing == 0 && duplicated == 0 && refused.get() == 0 && c.getOrDefault(LeadState.SENT, 0L) == acked.size();
    out.printf(Locale.ROOT, "     CRM check: %,d acknowledged addresses, %,d in the sandbox portal, %d missing, %d duplicated  %s%n",
        acked.size(), inCrm.size(), missing, duplicated, ok ? "ok" : "MISMATCH");
    return ok;
  }
}
