package dev.sluice.sandbox.hubspot;

import dev.sluice.sandbox.Sandbox;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures the HubSpot sandbox (not a test; run by hand, see /work/notes/sandbox-figures.md):
 * heap held by N contacts with their companies and associations, then list-paging throughput
 * over loopback. Args: contacts (default 1,000,000), paging seconds (default 10), client threads (4).
 */
public final class SandboxFootprintMain {
  public static void main(String[] args) throws Exception {
    int contacts = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 4;
    long before = usedAfterGc();
    try (Sandbox sandbox = Sandbox.builder().port(0).journalCapacity(1000)
        .hubspot(HubSpotOptions.builder().customLimits(Integer.MAX_VALUE, Long.MAX_VALUE).searchPerSecond(1_000_000).build()).start()) {
      long t0 = System.nanoTime();
      long cpu0 = cpuNanos();
      HubSpotDataGenerator.Result r = sandbox.hubspot().generate(HubSpotDataGenerator.Spec.contacts(1, contacts));
      long genMillis = (System.nanoTime() - t0) / 1_000_000;
      long genCpuMillis = (cpuNanos() - cpu0) / 1_000_000;
      long used = usedAfterGc() - before;
      System.out.printf("generated %s in %d ms wall, %d ms process CPU, %d associations%n", r.created(), genMillis, genCpuMillis, r.associations());
      System.out.printf("heap held: %.1f MB (%.0f bytes per contact incl. companies and associations); max heap %d MB%n",
          used / 1e6, (double) used / contacts, Runtime.getRuntime().maxMemory() / 1_000_000);

      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      String token = sandbox.hubspot().token();
      // A first round warms the JIT up; only the second one is reported.
      page(sandbox, client, token, contacts, Math.max(1, seconds / 3), threads, false);
      page(sandbox, client, token, contacts, seconds, threads, true);

      long s0 = System.nanoTime();
      long searchCpu0 = cpuNanos();
      HttpResponse<String> search = client.send(HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + "/crm/v3/objects/contacts/search"))
          .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"lastmodifieddate\",\"operator\":\"GTE\",\"value\":\"0\"}]}],"
              + "\"sorts\":[{\"propertyName\":\"lastmodifieddate\",\"direction\":\"ASCENDING\"}],\"limit\":200}")).build(), HttpResponse.BodyHandlers.ofString());
      System.out.printf("search over all contacts sorted by lastmodifieddate: status %d in %d ms%n", search.statusCode(), (System.nanoTime() - s0) / 1_000_000);
      System.out.printf("  process CPU for that search: %d ms%n", (cpuNanos() - searchCpu0) / 1_000_000);
      long recent = System.currentTimeMillis() - 86_400_000L;
      long i0 = System.nanoTime();
      long incCpu0 = cpuNanos();
      HttpResponse<String> incremental = client.send(HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + "/crm/v3/objects/contacts/search"))
          .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"lastmodifieddate\",\"operator\":\"GTE\",\"value\":\""
              + recent + "\"}]}],\"sorts\":[\"lastmodifieddate\"],\"limit\":200}")).build(), HttpResponse.BodyHandlers.ofString());
      System.out.printf("incremental search (modified in the last day, %s): status %d in %d ms, process CPU %d ms%n",
          incremental.body().substring(0, Math.min(20, incremental.body().length())), incremental.statusCode(),
          (System.nanoTime() - i0) / 1_000_000, (cpuNanos() - incCpu0) / 1_000_000);
      System.out.println("cpus " + Runtime.getRuntime().availableProcessors() + ", load " + ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
  }


  private static void page(Sandbox sandbox, HttpClient client, String token, int contacts, int seconds, int threads, boolean report)
      throws Exception {
      AtomicLong requests = new AtomicLong();
      AtomicLong records = new AtomicLong();
      long deadline = System.nanoTime() + seconds * 1_000_000_000L;
      long pagingCpu0 = cpuNanos();
      Thread[] workers = new Thread[threads];
      for (int w = 0; w < threads; w++) {
        final long startAfter = 1 + (long) w * (contacts / threads);
        workers[w] = new Thread(() -> {
          String after = Long.toString(startAfter);
          try {
            while (System.nanoTime() < deadline) {
              HttpResponse<String> resp = client.send(HttpRequest.newBuilder(URI.create(sandbox.baseUrl()
                      + "/crm/v3/objects/contacts?limit=100&properties=email,firstname,lastname&associations=companies&after=" + after))
                  .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
              if (resp.statusCode() != 200) throw new IllegalStateException("status " + resp.statusCode());
              requests.incrementAndGet();
              records.addAndGet(100);
              String body = resp.body();
              int i = body.lastIndexOf("\"after\":\"");
              after = i < 0 ? "1" : body.substring(i + 9, body.indexOf('"', i + 9));
            }
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
        workers[w].start();
      }
      for (Thread t : workers) t.join();
      double cpuPerRequestMs = (cpuNanos() - pagingCpu0) / 1e6 / Math.max(1, requests.get());
      if (!report) return;
      System.out.printf("list paging: %d requests in %d s with %d threads = %.0f req/s (%.0f records/s)%n",
          requests.get(), seconds, threads, requests.get() / (double) seconds, records.get() / (double) seconds);
      System.out.printf("list paging CPU (server and client in this process): %.2f ms per request = %.0f req/s per fully available core%n",
          cpuPerRequestMs, 1000 / cpuPerRequestMs);

  }

  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static long usedAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200); // let the collector finish: a measurement tool, not a test
    }
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }
}
