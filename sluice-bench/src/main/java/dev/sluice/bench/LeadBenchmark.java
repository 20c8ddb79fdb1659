package dev.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.sandbox.RecordedRequest;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import dev.sluice.sandbox.hubspot.HubSpotOptions;
import dev.sluice.sandbox.hubspot.HubSpotTier;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * {@code sluice bench leads}: {@code sluice serve} in a child process on its own embedded
 * PostgreSQL, a sandbox HubSpot at Professional limits, and concurrent clients posting leads (10%
 * repeats). In one run: the baseline (a source committing one INSERT transaction per request),
 * the same load on a group-committing source, the ack latency at a fixed rate, the drain's
 * records/s against the ceiling the CRM's limit allows, and every acknowledged lead looked up in
 * the CRM (lost, duplicated).
 */
public final class LeadBenchmark {
  static final String CONNECTION = "hubspot-bench";
  static final String UPSERT = "/crm/v3/objects/contacts/batch/upsert";
  /** A HubSpot batch upsert carries at most this many records. */
  static final int BATCH = 100;
  /** The drain rate is counted over whole windows of this length from the first send. */
  static final Duration WINDOW = Duration.ofSeconds(10);
  static final Duration SAMPLE_EVERY = Duration.ofMillis(250);
  /** Each source is loaded this long before anything is measured. */
  static final Duration WARM_UP = Duration.ofSeconds(5);
  static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(10);

  private final LeadBenchOptions options;
  private final Consumer<String> progress;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  public LeadBenchmark(LeadBenchOptions options, Consumer<String> progress) {
    this.options = options;
    this.progress = progress;
  }

  /** One stats sample: {@code nanos} on this JVM's clock, {@code wallMillis} on the sandbox's (wall) clock. */
  private record Sample(long nanos, long wallMillis, long sent, long waiting) {}

  public LeadBenchReport run() throws Exception {
    double[] loadAtStart = QueueBenchmark.loadAverage();
    HubSpotTier tier = HubSpotTier.PROFESSIONAL;
    Path dir = options.home().resolve("bench").resolve("leads-" + UUID.randomUUID().toString().substring(0, 8));
    Files.createDirectories(dir);
    String admin = "bench-admin-" + UUID.randomUUID();
    String benchKey = "lk_bench_" + UUID.randomUUID();
    String baselineKey = "lk_baseline_" + UUID.randomUUID();
    try {
      return measure(tier, dir, admin, benchKey, baselineKey, loadAtStart);
    } finally {
      deleteDatabase(dir);
    }
  }

  /** The child's embedded PostgreSQL is gigabytes after a big run: only serve.log stays. */
  private void deleteDatabase(Path dir) {
    for (String sub : List.of("pgdata", "postgres")) {
      Path p = dir.resolve(sub);
      if (!Files.exists(p)) continue;
      try (var walk = Files.walk(p)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (java.io.IOException e) {
        progress.accept("could not delete " + p + ": " + e.getMessage());
      }
    }
  }

  private LeadBenchReport measure(HubSpotTier tier, Path dir, String admin, String benchKey, String baselineKey, double[] loadAtStart)
      throws Exception {
    try (Sandbox sandbox = Sandbox.builder().port(0).hubspot(HubSpotOptions.builder().tier(tier).build()).start()) {
      Path config = dir.resolve("sluice.yaml");
      Files.writeString(config, """
          connections:
            %s:
              platform: hubspot
              base_url: %s
              token: ${BENCH_HUBSPOT_TOKEN}
              tier: professional
          workers:
            concurrency: 2
          leads:
            %s
            sources:
              bench:
                key: ${BENCH_LEAD_KEY}
                destination: %s
                per_ip_per_minute: 0
              baseline:
                key: ${BASELINE_LEAD_KEY}
                commit: per_request
                per_ip_per_minute: 0
          """.formatted(CONNECTION, sandbox.baseUrl(),
              options.drainers() > 0 ? "drainers: " + options.drainers() : "# drainers: serve's default", CONNECTION));
      Map<String, String> env = Map.of("SLUICE_HOME", dir.toString(), "SLUICE_API_TOKEN", admin, "SLUICE_DATABASE_URL", "",
          "BENCH_HUBSPOT_TOKEN", sandbox.hubspot().token(), "BENCH_LEAD_KEY", benchKey, "BASELINE_LEAD_KEY", baselineKey);
      progress.accept("starting sluice serve (embedded PostgreSQL under " + dir + ")");
      try (ServeProcess serve = ServeProcess.start(options.sluice(), config, env, dir.resolve("serve.log"));
          BenchHttp client = new BenchHttp(serve.url())) {
        URI url = serve.url();
        progress.accept("serve answers at " + url + "; warming up (the server JVM compiles its hot paths)");
        new LeadLoad(client, baselineKey, "warm").closedLoop(options.clients(), WARM_UP);
        LeadLoad warm = new LeadLoad(client, benchKey, "warm");
        warm.closedLoop(options.clients(), WARM_UP);

        progress.accept(String.format(Locale.ROOT, "baseline: one INSERT transaction per request, %d clients, %d s",
            options.clients(), options.phase().toSeconds()));
        double baseline = new LeadLoad(client, baselineKey, "base").closedLoop(options.clients(), options.phase());

        List<Sample> samples = new ArrayList<>();
        Thread sampler = Thread.ofPlatform().daemon().start(() -> sample(url, admin, samples));
        progress.accept(String.format(Locale.ROOT, "spike: group commit, %d clients, %d s", options.clients(), options.phase().toSeconds()));
        LeadLoad spike = new LeadLoad(client, benchKey, "spike");
        double accepted = spike.closedLoop(options.clients(), options.phase());
        progress.accept(String.format(Locale.ROOT, "latency: %,d leads/s for %d s", options.rate(), options.latencyPhase().toSeconds()));
        LeadLoad steady = new LeadLoad(client, benchKey, "steady");
        long[] connectsBefore = client.connects();
        double[] lat = steady.openLoop(options.rate(), options.latencyPhase());
        long intakeEnd = System.nanoTime();
        long[] connects = client.connects();
        progress.accept("latency phase, the 100 ms slots with most acks over 10 ms: " + slowSlots(lat, options.rate()));
        Percentiles lag = Percentiles.of(steady.sendLags().length == 0 ? new double[] {0} : steady.sendLags());
        long opened = connects[0] - connectsBefore[0];
        progress.accept(String.format(Locale.ROOT,
            "latency phase, the client's own lag from a request's scheduled time to its send: p50 %.2f ms, p99 %.2f ms; "
                + "%d connections opened (avg connect %.2f ms, slowest %.1f ms over the run)",
            lag.at(50), lag.at(99), opened, opened == 0 ? 0 : (connects[1] - connectsBefore[1]) / 1e6 / opened, connects[2] / 1e6));
        double[] acked = Arrays.stream(lat).filter(v -> !Double.isNaN(v)).toArray();
        Percentiles p = Percentiles.of(acked.length == 0 ? new double[] {Double.MAX_VALUE} : acked);

        Set<String> mustBeInCrm = new HashSet<>(warm.acked());
        mustBeInCrm.addAll(spike.acked());
        mustBeInCrm.addAll(steady.acked());
        progress.accept(String.format(Locale.ROOT, "draining %,d distinct leads into the sandbox at its limit", mustBeInCrm.size()));
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
          Sample last;
          synchronized (samples) {
            last = samples.isEmpty() ? null : samples.get(samples.size() - 1);
          }
          if (last != null && last.waiting() == 0 && last.sent() >= mustBeInCrm.size()) break;
          Thread.sleep(250);
        }
        sampler.interrupt();
        sampler.join();
        double drainLeads = drainRate(samples);
        List<RecordedRequest> upserts = sandbox.journal().withPathPrefix(UPSERT);
        double drain = crmDrainRate(samples, upserts, sandbox.journal().totalRecorded() <= sandbox.journal().capacity());
        progress.accept("distinct leads sent per whole window from the first send (leads/s): " + windowRates(samples, intakeEnd));
        progress.accept("records the CRM took per whole window (records/s; a lead a repeat changed after it was sent goes again): "
            + crmWindowRates(samples, upserts));
        if (Double.isNaN(drain)) {
          progress.accept("the sandbox's journal dropped requests: the drain is counted in distinct leads");
          drain = drainLeads;
        }

        Map<String, Integer> inCrm = new HashMap<>();
        for (String id : sandbox.hubspot().ids(HubSpotObjectType.CONTACTS)) {
          sandbox.hubspot().record(HubSpotObjectType.CONTACTS, id).ifPresent(r -> {
            String e = r.property("email");
            if (e != null) inCrm.merge(e.toLowerCase(Locale.ROOT), 1, Integer::sum);
          });
        }
        long lost = 0;
        long dups = 0;
        for (String e : mustBeInCrm) {
          int n = inCrm.getOrDefault(e, 0);
          if (n == 0) lost++;
          else dups += n - 1;
        }
        double ceiling = tier.perTenSeconds() / 10.0 * BATCH;
        return new LeadBenchReport(mustBeInCrm.size(), p.at(50), p.at(99), accepted, baseline, drain, drainLeads, ceiling, lost, dups,
            options.rate(), lat.length - acked.length, options.clients(), loadAtStart, QueueBenchmark.loadAverage());
      }
    }
  }

  /**
   * Records/s over the whole windows from the first send while leads still waited: the sandbox's
   * rolling window lets a full window's calls through at once, so counting over whole windows from
   * the first send measures what the limit allows, without crediting or charging part of a burst.
   */
  static double drainRate(List<Sample> samples) {
    List<Sample> b = windowBounds(samples);
    if (b.isEmpty()) return 0;
    Sample start = b.get(0);
    if (b.size() == 1) { // the queue ran dry within one window: the whole drain
      Sample last;
      synchronized (samples) {
        last = samples.get(samples.size() - 1);
      }
      return (last.sent() - start.sent()) / Math.max(1e-9, (last.nanos() - start.nanos()) / 1e9);
    }
    Sample end = b.get(b.size() - 1);
    return (end.sent() - start.sent()) / ((end.nanos() - start.nanos()) / 1e9);
  }

  /**
   * The samples that bound the whole windows {@link #drainRate} counts: the one before the first
   * send, then one per {@link #WINDOW} while leads still waited. Empty when nothing was sent.
   */
  private static List<Sample> windowBounds(List<Sample> samples) {
    List<Sample> s;
    synchronized (samples) {
      s = new ArrayList<>(samples);
    }
    int firstSend = -1;
    for (int i = 0; i < s.size(); i++) {
      if (s.get(i).sent() > 0) {
        firstSend = i;
        break;
      }
    }
    if (firstSend < 0) return List.of();
    Sample start = firstSend == 0 ? s.get(0) : s.get(firstSend - 1);
    List<Sample> bounds = new ArrayList<>(List.of(start));
    int k = 1;
    for (Sample x : s) {
      if (x.nanos() - start.nanos() >= k * WINDOW.toNanos()) {
        if (x.waiting() == 0) break;
        bounds.add(x);
        k++;
      }
    }
    return bounds;
  }

  /**
   * The records/s of each whole window {@link #drainRate} counts, for the progress log; a window
   * that began before {@code intakeEnd} is marked {@code *} (intake still running).
   */
  static String windowRates(List<Sample> samples, long intakeEnd) {
    List<Sample> b = windowBounds(samples);
    if (b.size() < 2) return b.isEmpty() ? "none" : "none (dry within one window)";
    StringBuilder out = new StringBuilder();
    for (int i = 1; i < b.size(); i++) {
      Sample from = b.get(i - 1);
      Sample to = b.get(i);
      if (i > 1) out.append(", ");
      out.append(String.format(Locale.ROOT, "%.0f%s", (to.sent() - from.sent()) / ((to.nanos() - from.nanos()) / 1e9),
          from.nanos() < intakeEnd ? "*" : ""));
    }
    return out + " (* = intake still running)";
  }

  /**
   * The records the sandbox CRM accepted in batch upserts per whole window {@link #drainRate} counts,
   * by its journal: the drain's real output, including leads sent again because a repeat changed
   * them after they were sent (the distinct-lead count does not see those).
   */
  static String crmWindowRates(List<Sample> samples, List<RecordedRequest> upserts) {
    List<Sample> b = windowBounds(samples);
    if (b.size() < 2) return "none";
    StringBuilder out = new StringBuilder();
    for (int i = 1; i < b.size(); i++) {
      long from = b.get(i - 1).wallMillis();
      long to = b.get(i).wallMillis();
      if (i > 1) out.append(", ");
      out.append(String.format(Locale.ROOT, "%.0f", crmRecords(upserts, from, to) / ((to - from) / 1e3)));
    }
    return out.toString();
  }

  /**
   * Records/s the CRM took over the same whole windows as {@link #drainRate} (one window when the
   * queue ran dry within it); NaN when the journal is {@code incomplete}, or nothing was sent.
   */
  static double crmDrainRate(List<Sample> samples, List<RecordedRequest> upserts, boolean complete) {
    List<Sample> b = windowBounds(samples);
    if (!complete || b.isEmpty()) return Double.NaN;
    long from = b.get(0).wallMillis();
    long to;
    if (b.size() == 1) {
      synchronized (samples) {
        to = samples.get(samples.size() - 1).wallMillis();
      }
    } else {
      to = b.get(b.size() - 1).wallMillis();
    }
    return to <= from ? Double.NaN : crmRecords(upserts, from, to) / ((to - from) / 1e3);
  }

  /** Records in the batch upserts the sandbox answered 2xx between {@code from} and {@code to} (epoch ms). */
  private static long crmRecords(List<RecordedRequest> upserts, long from, long to) {
    long records = 0;
    for (RecordedRequest r : upserts) {
      long at = r.at().toEpochMilli();
      if (at < from || at >= to || r.status() < 200 || r.status() >= 300) continue;
      for (int k = r.body().indexOf("objectWriteTraceId"); k >= 0; k = r.body().indexOf("objectWriteTraceId", k + 1)) records++;
    }
    return records;
  }

  /**
   * Where in the latency phase the slow acks were: the five 100 ms slots (by scheduled send time)
   * with the most acks over 10 ms, each as {@code +offset s: count over 10 ms, slowest ms}; for
   * the progress log (a tail spread evenly is queueing, one clustered in a few slots is a stall).
   */
  static String slowSlots(double[] latencies, int perSecond) {
    int perSlot = Math.max(1, perSecond / 10);
    int slots = (latencies.length + perSlot - 1) / perSlot;
    int[] over = new int[slots];
    double[] worst = new double[slots];
    for (int i = 0; i < latencies.length; i++) {
      double v = Double.isNaN(latencies[i]) ? Double.POSITIVE_INFINITY : latencies[i];
      int slot = i / perSlot;
      if (v > 10) over[slot]++;
      worst[slot] = Math.max(worst[slot], v);
    }
    Integer[] order = new Integer[slots];
    for (int i = 0; i < slots; i++) order[i] = i;
    Arrays.sort(order, (a, b) -> Integer.compare(over[b], over[a]));
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < Math.min(5, slots) && over[order[i]] > 0; i++) {
      int slot = order[i];
      if (!out.isEmpty()) out.append("; ");
      out.append(String.format(Locale.ROOT, "+%.1f s: %d over 10 ms, slowest %.0f ms", slot / 10.0, over[slot], worst[slot]));
    }
    return out.isEmpty() ? "none" : out.toString();
  }

  private void sample(URI url, String admin, List<Sample> out) {
    HttpRequest req = HttpRequest.newBuilder(url.resolve("/v1/leads/stats")).header("Authorization", "Bearer " + admin)
        .timeout(Duration.ofSeconds(10)).build();
    while (!Thread.currentThread().isInterrupted()) {
      try {
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        long now = System.nanoTime();
        long wall = System.currentTimeMillis();
        JsonNode bench = json.readTree(r.body()).path("by_source").path("bench");
        long sent = bench.path("sent").asLong() + bench.path("rejected").asLong();
        long waiting = bench.path("received").asLong() + bench.path("sending").asLong() + bench.path("retrying").asLong();
        synchronized (out) {
          out.add(new Sample(now, wall, sent, waiting));
        }
        Thread.sleep(SAMPLE_EVERY.toMillis());
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        // a missed sample: the next one follows
      }
    }
  }
}
