package dev.sluice.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * What {@code sluice bench leads} measured. {@link #toJson()} holds exactly the keys of issue 11;
 * {@link #toTable()} adds the ratios and the machine's load.
 *
 * @param leads distinct leads acknowledged (202) in the group-commit phases: the set checked in the CRM
 * @param ackP50Ms median ack latency at {@code rate} leads/s (from each request's scheduled time)
 * @param ackP99Ms 99th percentile of the same
 * @param acceptedPerSec 202s per second, closed loop, group commit
 * @param baselineAcceptedPerSec 202s per second, closed loop, one INSERT transaction per request
 * @param drainRecordsPerSec records the CRM took in batch upserts per second over the whole rate windows while
 *     leads waited (a lead changed by a repeat after it was sent is upserted again, and counts again)
 * @param drainLeadsPerSec the same windows counted in distinct leads moved to sent (or rejected): lower than
 *     {@code drainRecordsPerSec} by the leads sent again
 * @param drainCeilingRecordsPerSec what the CRM's limit allows: requests per window / window × batch size
 * @param lost acknowledged leads missing from the CRM
 * @param crmDuplicates extra CRM records for one acknowledged lead's address
 */
public record LeadBenchReport(long leads, double ackP50Ms, double ackP99Ms, double acceptedPerSec, double baselineAcceptedPerSec,
    double drainRecordsPerSec, double drainLeadsPerSec, double drainCeilingRecordsPerSec, long lost, long crmDuplicates,
    int rate, long latencyNotAcked, int clients, double[] loadAtStart, double[] loadAtEnd) {

  public String toJson() {
    ObjectMapper json = new ObjectMapper();
    ObjectNode n = json.createObjectNode();
    n.put("leads", leads);
    n.put("ack_p50_ms", round(ackP50Ms));
    n.put("ack_p99_ms", round(ackP99Ms));
    n.put("accepted_per_sec", round(acceptedPerSec));
    n.put("baseline_accepted_per_sec", round(baselineAcceptedPerSec));
    n.put("drain_records_per_sec", round(drainRecordsPerSec));
    n.put("drain_ceiling_records_per_sec", round(drainCeilingRecordsPerSec));
    n.put("lost", lost);
    n.put("crm_duplicates", crmDuplicates);
    return n.toString();
  }

  public String toTable() {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "leads acknowledged (distinct)   %,d%n", leads));
    b.append(String.format(Locale.ROOT, "accepted/s, group commit        %,.0f  (%d clients)%n", acceptedPerSec, clients));
    b.append(String.format(Locale.ROOT, "accepted/s, one INSERT per req  %,.0f  → %.1f× (target ≥ 10×)%n", baselineAcceptedPerSec,
        acceptedPerSec / baselineAcceptedPerSec));
    b.append(String.format(Locale.ROOT, "ack at %,d leads/s            p50 %.2f ms, p99 %.2f ms (target p99 ≤ 10 ms), %d not acked%n",
        rate, ackP50Ms, ackP99Ms, latencyNotAcked));
    b.append(String.format(Locale.ROOT, "drain                           %,.0f records/s of a %,.0f ceiling = %.3f (target ≥ 0.95)%n",
        drainRecordsPerSec, drainCeilingRecordsPerSec, drainRecordsPerSec / drainCeilingRecordsPerSec));
    b.append(String.format(Locale.ROOT, "  of which distinct leads        %,.0f/s (the rest: leads a repeat changed after they were sent)%n",
        drainLeadsPerSec));
    b.append(String.format(Locale.ROOT, "lost / CRM duplicates           %d / %d%n", lost, crmDuplicates));
    b.append(String.format(Locale.ROOT, "load average                    %s at start, %s at end (2 cores, shared)%n", load(loadAtStart), load(loadAtEnd)));
    return b.toString();
  }

  private static String load(double[] l) {
    return l == null ? "n/a" : String.format(Locale.ROOT, "%.2f %.2f %.2f", l[0], l[1], l[2]);
  }

  private static double round(double v) {
    return Math.round(v * 100.0) / 100.0;
  }
}
