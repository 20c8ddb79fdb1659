package dev.sluice.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * The outcome of {@code sluice bench sync}.
 *
 * @param records              contacts in the sandbox portal
 * @param seconds              trigger → run finished
 * @param requests             requests the sandbox answered during the run (429s included)
 * @param windowRequests       those that count against the tier's 10-second window (429s included): not
 *                             search (its own per-second limit) and not v4 association batch reads
 *                             (daily cap only), as in HubSpot and its sandbox
 * @param responses429         429 answers among them
 * @param perTenSeconds        the tier's request budget per 10 s
 * @param lost                 sandbox records missing from the mirror
 * @param duplicates           mirror rows beyond one per sandbox record
 * @param peakRssMb            the bench JVM's peak resident memory (VmHWM): Sluice's queue, engine, connector and
 *                             workers, plus the sandbox when it runs in process
 * @param sandboxPeakRssMb     the sandbox child process's peak resident memory (VmHWM); NaN when it runs in process
 * @param sandbox              where the sandbox ran: {@code child-process} or {@code in-process}
 * @param status               the run's final status
 */
public record SyncBenchReport(long records, double seconds, long requests, long windowRequests, long responses429, int perTenSeconds,
                              long lost, long duplicates, double peakRssMb, double sandboxPeakRssMb, String sandbox,
                              String status, String database, String tier,
                              int workers, double[] loadAtStart, double[] loadAtEnd) {
  /** Targets from issue 4. */
  public static final double TARGET_RATIO = 0.95;
  public static final double TARGET_429_SHARE = 0.005;

  /** The 10-second-window requests the sync needed: those answered with something other than 429. */
  public long requestsNeeded() {
    return Math.max(0, windowRequests - responses429);
  }

  /** Fastest the tier's budget allows for the requests this sync needs. */
  public double minimumSeconds() {
    return requestsNeeded() * 10.0 / perTenSeconds;
  }

  public double recordsPerSec() {
    return records / seconds;
  }

  public double ceilingRecordsPerSec() {
    return minimumSeconds() == 0 ? Double.NaN : records / minimumSeconds();
  }

  /** Achieved ÷ ceiling throughput (1.0 = every request the budget allowed was used). */
  public double ratio() {
    return recordsPerSec() / ceilingRecordsPerSec();
  }

  public String toJson() {
    ObjectNode o = new ObjectMapper().createObjectNode();
    o.put("benchmark", "sync");
    o.put("status", status);
    o.put("records", records);
    o.put("seconds", QueueBenchReport.round(seconds, 2));
    number(o, "records_per_sec", recordsPerSec(), 1);
    number(o, "ceiling_records_per_sec", ceilingRecordsPerSec(), 1);
    number(o, "ratio", ratio(), 3);
    o.put("requests", requests);
    o.put("requests_in_10s_window", windowRequests);
    o.put("requests_needed", requestsNeeded());
    o.put("responses_429", responses429);
    o.put("responses_429_share", requests == 0 ? 0 : QueueBenchReport.round((double) responses429 / requests, 5));
    o.put("lost", lost);
    o.put("duplicates", duplicates);
    number(o, "peak_rss_mb", peakRssMb, 1);
    number(o, "sandbox_peak_rss_mb", sandboxPeakRssMb, 1);
    o.put("sandbox", sandbox);
    o.put("tier", tier);
    o.put("requests_per_10s_allowed", perTenSeconds);
    o.put("workers", workers);
    o.put("database", database);
    ObjectNode targets = o.putObject("targets");
    targets.put("ratio_at_least", TARGET_RATIO);
    targets.put("ratio_met", ratio() >= TARGET_RATIO);
    targets.put("responses_429_share_at_most", TARGET_429_SHARE);
    targets.put("responses_429_met", requests > 0 && (double) responses429 / requests <= TARGET_429_SHARE);
    targets.put("lost_and_duplicates_zero", lost == 0 && duplicates == 0);
    var load = o.putObject("load_average");
    if (loadAtStart != null) load.put("start", loadAtStart[0]);
    if (loadAtEnd != null) load.put("end", loadAtEnd[0]);
    return o.toString();
  }

  /** NaN and infinities are not JSON: they become null. */
  static void number(ObjectNode o, String field, double v, int decimals) {
    if (Double.isFinite(v)) o.put(field, QueueBenchReport.round(v, decimals));
    else o.putNull(field);
  }

  public String toTable() {
    return String.format(Locale.ROOT, """
        Sync benchmark: %,d contacts, HubSpot sandbox at %s limits (%d requests / 10 s), %d workers
        Database: %s
        status            %s
        seconds           %.1f
        records/s         %,.1f   (ceiling %,.1f for %,d 10-s-window requests -> ratio %.3f, target >= %.2f)
        requests          %,d   (429s: %,d = %.3f%%, target <= %.1f%%)
        lost/duplicates   %d / %d
        peak RSS          %s
        """, records, tier, perTenSeconds, workers, database, status, seconds, recordsPerSec(), ceilingRecordsPerSec(),
        requestsNeeded(), ratio(), TARGET_RATIO, requests, responses429, requests == 0 ? 0.0 : 100.0 * responses429 / requests,
        TARGET_429_SHARE * 100, lost, duplicates, rssLine());
  }

  private String rssLine() {
    if ("in-process".equals(sandbox)) return String.format(Locale.ROOT, "%.0f MB (this JVM, sandbox included)", peakRssMb);
    return String.format(Locale.ROOT, "%.0f MB Sluice (this JVM), %.0f MB sandbox (child process)", peakRssMb, sandboxPeakRssMb);
  }
}
