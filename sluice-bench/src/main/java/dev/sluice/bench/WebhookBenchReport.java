package dev.sluice.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * What {@code sluice bench webhooks} measured: the group-committing receivers against one
 * transaction per request, on the same server in the same run.
 *
 * @param requests requests of the group-commit throughput phase
 * @param events events those requests carried (duplicate deliveries included)
 * @param ackP50Ms median acknowledgement time at {@code pacedRate} requests/s
 * @param ackP99Ms 99th percentile acknowledgement time at {@code pacedRate} requests/s
 * @param pacedRate the rate of the latency phase
 * @param requestsPerSec group commit, closed loop
 * @param baselineRequestsPerSec one transaction per request, closed loop
 * @param lost distinct events acknowledged (2xx) but not stored, over every phase
 * @param duplicates events stored more than once, over every phase
 */
public record WebhookBenchReport(long requests, long events, double ackP50Ms, double ackP99Ms, int pacedRate,
    double achievedPacedRate, double requestsPerSec, double baselineRequestsPerSec, double throughputAckP99Ms,
    double baselineAckP99Ms, long lost, long duplicates, String server) {

  public double speedup() {
    return baselineRequestsPerSec == 0 ? 0 : requestsPerSec / baselineRequestsPerSec;
  }

  public String toJson() {
    ObjectNode o = new ObjectMapper().createObjectNode();
    o.put("benchmark", "webhooks");
    o.put("requests", requests);
    o.put("events", events);
    o.put("ack_p50_ms", QueueBenchReport.round(ackP50Ms, 2));
    o.put("ack_p99_ms", QueueBenchReport.round(ackP99Ms, 2));
    o.put("ack_rate_per_sec", pacedRate);
    o.put("ack_rate_achieved_per_sec", QueueBenchReport.round(achievedPacedRate, 1));
    o.put("requests_per_sec", QueueBenchReport.round(requestsPerSec, 1));
    o.put("baseline_requests_per_sec", QueueBenchReport.round(baselineRequestsPerSec, 1));
    o.put("speedup", QueueBenchReport.round(speedup(), 2));
    o.put("throughput_ack_p99_ms", QueueBenchReport.round(throughputAckP99Ms, 2));
    o.put("baseline_ack_p99_ms", QueueBenchReport.round(baselineAckP99Ms, 2));
    o.put("lost", lost);
    o.put("duplicates", duplicates);
    o.put("server", server);
    return o.toString();
  }

  public String toTable() {
    return String.format(Locale.ROOT, """
        webhooks (%s)
          group commit     %8.1f requests/s  (%d requests, %d events; ack p99 %.1f ms under full load)
          one tx/request   %8.1f requests/s  (ack p99 %.1f ms)   → %.2f×
          at %d requests/s  ack p50 %.2f ms, p99 %.2f ms (achieved %.1f/s)
          lost %d, duplicates %d""", server, requestsPerSec, requests, events, throughputAckP99Ms, baselineRequestsPerSec,
        baselineAckP99Ms, speedup(), pacedRate, ackP50Ms, ackP99Ms, achievedPacedRate, lost, duplicates);
  }
}
