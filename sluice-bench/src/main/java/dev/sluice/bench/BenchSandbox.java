package dev.sluice.bench;

import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.hubspot.HubSpotDataGenerator;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import dev.sluice.sandbox.hubspot.HubSpotOptions;
import dev.sluice.sandbox.hubspot.HubSpotTier;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The HubSpot sandbox a sync benchmark reads from, wherever it runs: in a child JVM
 * ({@link ChildSandbox}, the default, so the bench JVM's memory is Sluice's alone) or inside the
 * bench JVM ({@link InProcess}).
 */
interface BenchSandbox extends AutoCloseable {
  /** What the sandbox served so far, API calls only (admin calls left out). */
  record Counters(long requests, long windowRequests, long tooManyRequests) {
    static Counters of(Map<String, Long> byEndpoint, long tooManyRequests) {
      Map<String, Long> api = new java.util.HashMap<>();
      byEndpoint.forEach((k, v) -> {
        if (!k.contains(" /_admin")) api.put(k, v);
      });
      return new Counters(api.values().stream().mapToLong(Long::longValue).sum(), SyncBenchmark.windowRequests(api), tooManyRequests);
    }

    Counters minus(Counters before) {
      return new Counters(requests - before.requests, windowRequests - before.windowRequests, tooManyRequests - before.tooManyRequests);
    }
  }

  String baseUrl();

  String token();

  Counters counters() throws IOException, InterruptedException;

  /** Ids of the live records of a type, ascending. */
  long[] ids(HubSpotObjectType type) throws IOException, InterruptedException;

  /** The sandbox's own peak resident memory in MB; NaN when it shares the bench JVM (or no /proc). */
  double peakRssMb();

  /** {@code "child-process"} or {@code "in-process"}. */
  String placement();

  /** A line for the progress log once it is ready. */
  String description();

  @Override
  void close();

  /** The old way: the sandbox's records and server live in the bench JVM. */
  final class InProcess implements BenchSandbox {
    private final Sandbox sandbox;
    private final String description;

    InProcess(HubSpotTier tier, HubSpotDataGenerator.Spec spec) {
      this.sandbox = Sandbox.builder().hubspot(HubSpotOptions.builder().tier(tier).build()).start();
      HubSpotDataGenerator.Result seeded;
      try {
        seeded = sandbox.hubspot().generate(spec);
      } catch (RuntimeException e) {
        sandbox.close();
        throw e;
      }
      this.description = String.format(java.util.Locale.ROOT,
          "sandbox (in this JVM): %,d contacts (and %,d companies, %,d associations) in %.1f s at %s",
          spec.contacts(), seeded.created().getOrDefault(HubSpotObjectType.COMPANIES, 0), seeded.associations(),
          seeded.millis() / 1000.0, sandbox.baseUrl());
    }

    @Override
    public String baseUrl() {
      return sandbox.baseUrl();
    }

    @Override
    public String token() {
      return sandbox.hubspot().token();
    }

    @Override
    public Counters counters() {
      return Counters.of(sandbox.counters().requestsByEndpoint(), sandbox.counters().tooManyRequestsServed());
    }

    @Override
    public long[] ids(HubSpotObjectType type) {
      List<String> ids = sandbox.hubspot().ids(type);
      long[] out = new long[ids.size()];
      for (int i = 0; i < out.length; i++) out[i] = Long.parseLong(ids.get(i));
      Arrays.sort(out);
      return out;
    }

    @Override
    public double peakRssMb() {
      return Double.NaN;
    }

    @Override
    public String placement() {
      return "in-process";
    }

    @Override
    public String description() {
      return description;
    }

    @Override
    public void close() {
      sandbox.close();
    }
  }
}
