package dev.sluice.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The pipeline bench's ceiling: the same number of contacts, with the same fields, written straight
 * to the sandbox destination by a bare client — request bodies built before the clock starts, no
 * database, no mapping — with as many calls in flight as the destination's limits allow. Neither
 * destination has a rate that binds a run of a few hundred calls (Salesforce's is a rolling 24 h
 * allocation of 100,000 requests; Mailchimp's is 10 simultaneous connections), so the fastest a run
 * can be is the destination's own speed at its concurrency limit, which only a measurement gives.
 * The addresses ({@code ceiling<i>@bench.test}) are apart from the pipeline's, so the destination
 * does the same work (creates) for both.
 */
final class WireCeiling {
  /** Salesforce: at most 25 concurrent long requests (short ones have no cap; 25 saturate this machine). */
  static final int SALESFORCE_IN_FLIGHT = 25;
  /** Mailchimp: 10 simultaneous connections per account, then 429. */
  static final int MAILCHIMP_IN_FLIGHT = 10;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the bare client measured. */
  record Result(long records, int calls, int inFlight, double seconds, long failedCalls, long responses429,
      PipelineBenchReport.CpuSplit cpu) {
    double recordsPerSec() {
      return records / seconds;
    }

    Result withCpu(PipelineBenchReport.CpuSplit used) {
      return new Result(records, calls, inFlight, seconds, failedCalls, responses429, used);
    }
  }

  private final HttpClient http;

  WireCeiling(HttpClient http) {
    this.http = http;
  }

  /** sObject Collections upserts by Email of {@code records} contacts, 200 a call. */
  Result salesforce(String instanceUrl, String token, int records) throws IOException, InterruptedException {
    return salesforce(instanceUrl, token, records, "ceiling");
  }

  /** The same with the addresses {@code <prefix><i>@bench.test} (the warm-up's apart from the measured ones). */
  Result salesforce(String instanceUrl, String token, int records, String prefix) throws IOException, InterruptedException {
    List<HttpRequest> calls = new ArrayList<>();
    for (int from = 1; from <= records; from += 200) {
      ObjectNode body = JSON.createObjectNode().put("allOrNone", false);
      ArrayNode out = body.putArray("records");
      for (int i = from; i < from + 200 && i <= records; i++) {
        ObjectNode r = out.addObject();
        r.putObject("attributes").put("type", "Contact");
        r.put("FirstName", "First" + i).put("LastName", "Last" + i).put("Phone", phone(i)).put("Email", email(prefix, i));
      }
      calls.add(HttpRequest.newBuilder(URI.create(instanceUrl + "/services/data/v65.0/composite/sobjects/Contact/Email"))
          .timeout(Duration.ofMinutes(1)).header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
          .method("PATCH", HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build());
    }
    return push(calls, records, SALESFORCE_IN_FLIGHT);
  }

  /** Batch subscribes of {@code records} members, 500 a call. */
  Result mailchimp(String baseUrl, String apiKey, String listId, int records) throws IOException, InterruptedException {
    return mailchimp(baseUrl, apiKey, listId, records, "ceiling");
  }

  /** The same with the addresses {@code <prefix><i>@bench.test}. */
  Result mailchimp(String baseUrl, String apiKey, String listId, int records, String prefix) throws IOException, InterruptedException {
    String auth = "Basic " + Base64.getEncoder().encodeToString(("bench:" + apiKey).getBytes(StandardCharsets.UTF_8));
    List<HttpRequest> calls = new ArrayList<>();
    for (int from = 1; from <= records; from += 500) {
      ObjectNode body = JSON.createObjectNode();
      ArrayNode out = body.putArray("members");
      for (int i = from; i < from + 500 && i <= records; i++) {
        ObjectNode m = out.addObject().put("email_address", email(prefix, i)).put("status", "subscribed");
        m.putObject("merge_fields").put("FNAME", "First" + i).put("LNAME", "Last" + i).put("PHONE", phone(i));
      }
      body.put("update_existing", true);
      calls.add(HttpRequest.newBuilder(URI.create(baseUrl + "/lists/" + listId)).timeout(Duration.ofMinutes(1))
          .header("Authorization", auth).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build());
    }
    return push(calls, records, MAILCHIMP_IN_FLIGHT);
  }

  static String email(String prefix, int i) {
    return prefix + i + "@bench.test";
  }

  private static String phone(int i) {
    return "+1 555 " + String.format("%07d", i);
  }

  /** Sends every call, {@code inFlight} at a time, and times it. A 429 is sent again (and counted). */
  private Result push(List<HttpRequest> calls, long records, int inFlight) throws InterruptedException {
    AtomicInteger next = new AtomicInteger();
    AtomicLong failed = new AtomicLong();
    AtomicLong throttled = new AtomicLong();
    long started = System.nanoTime();
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> senders = new ArrayList<>();
      for (int t = 0; t < Math.min(inFlight, calls.size()); t++) {
        senders.add(threads.submit(() -> {
          for (int i = next.getAndIncrement(); i < calls.size(); i = next.getAndIncrement()) {
            for (int attempt = 0; ; attempt++) {
              int status;
              try {
                status = http.send(calls.get(i), HttpResponse.BodyHandlers.discarding()).statusCode();
              } catch (IOException e) {
                status = -1;
              }
              if (status == 429 && attempt < 20) {
                throttled.incrementAndGet();
                Thread.sleep(50);
                continue;
              }
              if (status < 200 || status >= 300) failed.incrementAndGet();
              break;
            }
          }
          return null;
        }));
      }
      for (Future<?> f : senders) {
        try {
          f.get();
        } catch (java.util.concurrent.ExecutionException e) {
          throw new IllegalStateException("the ceiling's client failed: " + e.getCause(), e.getCause());
        }
      }
    }
    return new Result(records, calls.size(), inFlight, (System.nanoTime() - started) / 1e9, failed.get(), throttled.get(), null);
  }
}
