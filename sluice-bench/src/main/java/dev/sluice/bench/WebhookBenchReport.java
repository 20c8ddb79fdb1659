package dev.sluice.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * What {@code sluice bench webhooks} measured: the group-committing receivers against one
 * transaction per request, on the same server in the same runs; the headline figures are medians
 * over the runs.
 *
 * @param runs each run's figures, in order
 * @param pacedRate the rate of the latency phase
 * @param lost distinct events acknowledged (2xx) but not stored, over every phase of every run
 * @param duplicates events stored more than once, over every phase of every run
 * @param loadAtStart 1, 5, 15 minute load averages when the bench started (null when unknown)
 * @param loadAtEnd the same when it ended
 */
public record WebhookBenchReport(List<Run> runs, int pacedRate, long lost, long duplicates, String server,
    double[] loadAtStart, double[] loadAtEnd) {

  /**
   * One run: both servers, each on a fresh database.
   *
   * @param requests requests of the group-commit throughput phase
   * @param events events those requests carried (duplicate deliveries included)
   * @param ackP50Ms median acknowledgement time at the paced rate
   * @param ackP99Ms 99th percentile acknowledgement time at the paced rate
   * @param requestsPerSec group commit, closed loop
   * @param baselineRequestsPerSec one transaction per request, closed loop
   * @param cpuMsPerEvent serve + PostgreSQL CPU per event of the group-commit closed loop, until idle
   * @param baselineCpuMsPerEvent the same for one transaction per request
   * @param loadAfter load averages when the run ended
   */
  public record Run(long requests, long events, double ackP50Ms, double ackP99Ms, double achievedPacedRate,
      double requestsPerSec, double baselineRequestsPerSec, double throughputAckP99Ms, double baselineAckP99Ms,
      double cpuMsPerEvent, double baselineCpuMsPerEvent, double[] loadAfter) {
    double speedup() {
      return baselineRequestsPerSec == 0 ? 0 : requestsPerSec / baselineRequestsPerSec;
    }
  }

  private double median(ToDoubleFunction<Run> f) {
    return Percentiles.median(runs.stream().map(r -> f.applyAsDouble(r)).toList());
  }

  public double requestsPerSec() {
    return median(Run::requestsPerSec);
  }

  public double baselineRequestsPerSec() {
    return median(Run::baselineRequestsPerSec);
  }

  /** The median of each run's ratio (both contenders of a run saw the same load). */
  public double speedup() {
    return median(Run::speedup);
  }

  public String toJson() {
    ObjectMapper m = new ObjectMapper();
    ObjectNode o = m.createObjectNode();
    o.put("benchmark", "webhooks");
    o.put("requests", runs.get(0).requests());
    o.put("events", (long) median(Run::events));
    o.put("ack_p50_ms", QueueBenchReport.round(median(Run::ackP50Ms), 2));
    o.put("ack_p99_ms", QueueBenchReport.round(median(Run::ackP99Ms), 2));
    o.put("ack_rate_per_sec", pacedRate);
    o.put("ack_rate_achieved_per_sec", QueueBenchReport.round(median(Run::achievedPacedRate), 1));
    o.put("requests_per_sec", QueueBenchReport.round(requestsPerSec(), 1));
    o.put("baseline_requests_per_sec", QueueBenchReport.round(baselineRequestsPerSec(), 1));
    o.put("speedup", QueueBenchReport.round(speedup(), 2));
    o.put("throughput_ack_p99_ms", QueueBenchReport.round(median(Run::throughputAckP99Ms), 2));
    o.put("baseline_ack_p99_ms", QueueBenchReport.round(median(Run::baselineAckP99Ms), 2));
    cpu(o, "cpu_ms_per_event", median(Run::cpuMsPerEvent));
    cpu(o, "baseline_cpu_ms_per_event", median(Run::baselineCpuMsPerEvent));
    o.put("lost", lost);
    o.put("duplicates", duplicates);
    o.put("server", server);
    load(o.putArray("load_average_start"), loadAtStart);
    load(o.putArray("load_average_end"), loadAtEnd);
    ArrayNode each = o.putArray("runs");
    for (Run r : runs) {
      ObjectNode n = each.addObject();
      n.put("requests_per_sec", QueueBenchReport.round(r.requestsPerSec(), 1));
      n.put("baseline_requests_per_sec", QueueBenchReport.round(r.baselineRequestsPerSec(), 1));
      n.put("speedup", QueueBenchReport.round(r.speedup(), 2));
      n.put("ack_p50_ms", QueueBenchReport.round(r.ackP50Ms(), 2));
      n.put("ack_p99_ms", QueueBenchReport.round(r.ackP99Ms(), 2));
      cpu(n, "cpu_ms_per_event", r.cpuMsPerEvent());
      cpu(n, "baseline_cpu_ms_per_event", r.baselineCpuMsPerEvent());
      load(n.putArray("load_average_after"), r.loadAfter());
    }
    return o.toString();
  }

  /** CPU figures are null where /proc was not readable (e.g. PostgreSQL on another host). */
  private static void cpu(ObjectNode o, String key, double ms) {
    if (Double.isNaN(ms)) o.putNull(key);
    else o.put(key, QueueBenchReport.round(ms, 4));
  }

  private static void load(ArrayNode a, double[] load) {
    if (load != null) for (double v : load) a.add(v);
  }

  public String toTable() {
    return String.format(Locale.ROOT, """
        webhooks (%s), medians of %d runs
          group commit     %8.1f requests/s  (%d requests, ack p99 %.1f ms under full load; %.4f ms CPU per event)
          one tx/request   %8.1f requests/s  (ack p99 %.1f ms; %.4f ms CPU per event)   → %.2f×
          at %d requests/s  ack p50 %.2f ms, p99 %.2f ms (achieved %.1f/s)
          lost %d, duplicates %d; load average %s → %s""", server, runs.size(), requestsPerSec(), runs.get(0).requests(),
        median(Run::throughputAckP99Ms), median(Run::cpuMsPerEvent), baselineRequestsPerSec(), median(Run::baselineAckP99Ms),
        median(Run::baselineCpuMsPerEvent), speedup(), pacedRate, median(Run::ackP50Ms), median(Run::ackP99Ms),
        median(Run::achievedPacedRate), lost, duplicates, java.util.Arrays.toString(loadAtStart), java.util.Arrays.toString(loadAtEnd));
  }
}
